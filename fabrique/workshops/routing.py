"""Websocket addresses of the workshops app (mounted by config/asgi.py).

Under the participant page's path, so that the browser sends the same cookies to both.
"""

from django.urls import path

from .consumers import LiveConsumer

websocket_urlpatterns = [
    path("direct/<str:code>/ws/", LiveConsumer.as_asgi()),
]
