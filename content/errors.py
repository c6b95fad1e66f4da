"""The one error a broken content file raises."""


class ContentError(Exception):
    """A content file is missing, malformed or inconsistent; names the file and the entry."""

    def __init__(self, file: str, entry: str, problem: str) -> None:
        super().__init__(f"content file {file}, {entry}: {problem}")
        self.file = file
        self.entry = entry
        self.problem = problem
