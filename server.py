"""The app served behind security headers: `streamlit run server.py` (a Streamlit ASGI app)."""

from __future__ import annotations

from pathlib import Path

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit.starlette import App

# A second line of defence for an offline app: images only from this origin and inline data, no external
# fonts, frames, forms or plugins. (Scripts and styles stay as Streamlit's frontend needs them.)
CSP = ("img-src 'self' data: blob:; font-src 'self' data:; frame-ancestors 'self'; form-action 'self'; "
       "object-src 'none'; base-uri 'self'")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"content-security-policy", CSP.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


app = App(str(Path(__file__).resolve().parent / "app.py"), middleware=[Middleware(SecurityHeaders)])
