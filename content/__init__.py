"""Content as data: the maturity model, CRAFT, baseline, directory, nudges and strings."""

from content.errors import ContentError
from content.loader import Content, load_content

__all__ = ["Content", "ContentError", "load_content"]
