"""Front's wire format, in one place for every door: the `_error` envelope, JSON answers, domain objects
as Front's JSON, request-body parsing and the lookups that answer Front's 404."""
