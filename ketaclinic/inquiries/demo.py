# Temporary scaffolding; replaced by the inquiries work.
from typing import Any


def create_demo_inquiries(clinic: Any, users: Any) -> None:
    return None
