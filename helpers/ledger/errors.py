"""Exceptions whose messages are meant for people, not tracebacks."""


class MfcError(Exception):
    """Base class: the message alone tells the user what is wrong and where."""


class DataError(MfcError):
    """A data file is missing, unreadable or invalid.

    ``problems`` holds one line per problem, each naming the file, the row and the column.
    """

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class ParameterError(MfcError, ValueError):
    """A notebook or command parameter is not one of the valid values."""
