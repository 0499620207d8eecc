"""An importable app factory for servers Portolan adopts without the protocol (docs/launcher.md, "Adoption").

    ./portolan run -- /usr/bin/python3 -m uvicorn --app-dir examples/python-fastapi --factory app_factory:create_app --port 0

uvicorn binds the port itself (0 = OS-assigned) and prints no ``port_info`` line: Portolan finds the port through
uvicorn's "Uvicorn running on ..." line or the listening socket of its process, checks that the socket belongs to the
process tree it started and that ``/health`` answers, and announces it. The app is the example's own (main.py): the same
routes, Host/Origin rules and bearer check (PORTOLAN_API_TOKEN, when set). It learns its port from the first request.
"""
import os

import main
import registry


def create_app():
    """The example's FastAPI app for ``uvicorn --factory``; its port comes from the first request's server address."""
    port_holder = {"port": 0}
    app = main.create_app(main.Security(os.environ), "sidecar", port_holder, registry.Identity())

    async def asgi(scope, receive, send):
        if not port_holder["port"] and scope.get("server"):
            port_holder["port"] = scope["server"][1]
        await app(scope, receive, send)

    return asgi
