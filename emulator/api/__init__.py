"""Front's public API, thin routes: parse, call the domain, serialise."""
