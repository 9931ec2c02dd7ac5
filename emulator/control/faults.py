"""/_emulator/faults: make Front's API answer the integration badly on demand (emulator/domain/faults.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.domain.faults import FaultError, Faults
from emulator.wire.documents import control_document
from emulator.wire.errors import FrontError
from emulator.wire.responses import front_json


async def create_fault(request: Request) -> Response:
    """Add a fault; it fires on the matching Front API requests that follow."""
    document = await control_document(request, "fault-request")
    faults: Faults = request.app.state.faults
    try:
        fault = faults.add(document)
    except FaultError as error:
        raise FrontError(400, "Invalid fault", error.details) from None
    return front_json(request, fault.as_document(), "fault", 201)


async def list_faults(request: Request) -> Response:
    """Every fault, oldest first, with how many times it fired."""
    faults: Faults = request.app.state.faults
    return front_json(request, {"_results": [fault.as_document() for fault in faults.faults]}, "fault-list")


async def delete_fault(request: Request) -> Response:
    fault_id = request.path_params["fault_id"]
    if not request.app.state.faults.remove(fault_id):
        raise FrontError(404, f"Fault {fault_id} not found (a reset clears faults)")
    return Response(status_code=204)


async def clear_faults(request: Request) -> Response:
    request.app.state.faults.clear()
    return Response(status_code=204)


_BY_METHOD = {"POST": create_fault, "GET": list_faults, "HEAD": list_faults, "DELETE": clear_faults}


async def faults_collection(request: Request) -> Response:
    """POST adds a fault, GET lists them, DELETE removes them all."""
    # One route for the three methods: a 405 then names all of them in Allow (two routes of one path
    # would answer the first route's methods only).
    return await _BY_METHOD[request.method](request)


routes = [
    Route("/_emulator/faults", faults_collection, methods=["POST", "GET", "DELETE"]),
    Route("/_emulator/faults/{fault_id}", delete_fault, methods=["DELETE"]),
]
