"""The reference the hub's event codec is held to: the library's own JSON transcoder (stdlib
json), taught the hub's values, as the application used it before the orjson codec."""

from __future__ import annotations

from eventsourcing.persistence import JSONTranscoder
from eventsourcing.utils import get_topic

from storage.event_codec import register_values


class LibraryJSON(JSONTranscoder):
    def __init__(self) -> None:
        super().__init__()
        register_values(self)


WITH_LIBRARY_JSON = {"TRANSCODER_TOPIC": get_topic(LibraryJSON)}
