"""The server's access log without the secrets some addresses carry (an invitation's
``/join/<token>``, a password reset's ``?token=``): a link in a log file is as good as the mail
that carried it."""

from __future__ import annotations

import copy
import logging
from typing import Any

from sidestream.access.secrets import without_link_secrets


class WithoutSecrets(logging.Filter):
    """Blank the link secrets out of uvicorn's access-log records (their third argument is the
    path with its query)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record, its path rewritten."""
        args = record.args
        if isinstance(args, tuple) and len(args) > 2 and isinstance(args[2], str):
            record.args = (*args[:2], without_link_secrets(args[2]), *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with :class:`WithoutSecrets` on its access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["without_secrets"] = {"()": WithoutSecrets}
    config["handlers"]["access"]["filters"] = ["without_secrets"]
    return config
