"""The one error taxonomy users can cause.

Every exception here carries a plain-language, one-line message meant to be shown as it is: the GUI puts
it in a message bar or dialog, the CLI prints it on stderr and exits 2. Anything else escaping core/ is a
bug in Backprop Studio, not a user error.
"""


class BackpropError(Exception):
    """Base for errors a user can cause (bad file, bad option, diverging run)."""


class DataError(BackpropError):
    """A CSV file or a column choice that cannot become a training set."""


class ModelFileError(BackpropError):
    """A model, weights or project file that cannot be read or does not fit."""


class ExportError(BackpropError):
    """A model that cannot be written in the requested format or to the requested place."""


class ConfigError(BackpropError):
    """A setting with an impossible value (unknown activation, negative learning rate, ...)."""


class ResourceError(BackpropError):
    """Something would need more memory or disk than allowed."""


class DivergenceError(BackpropError):
    """Training produced a non-finite loss or weight; the network keeps its last finite weights."""

    def __init__(self, epoch: int, message: str | None = None):
        self.epoch = epoch
        super().__init__(
            message
            or f"Training diverged at epoch {epoch}: the error became infinite or NaN. "
            "The learning rate is probably too high; the last finite weights were kept."
        )


def check_file_format(doc, expected_format: str, supported_version: str, source: str, kind: str) -> str:
    """The version of a saved document, after checking it is ours and not from a newer app.

    `doc` is the file's JSON header; `kind` names the format in messages ("model", "project").
    """
    if not isinstance(doc, dict) or doc.get("format") != expected_format:
        raise ModelFileError(f"{source} is not a Backprop Studio {kind} file.")
    version = str(doc.get("format_version", ""))
    try:
        major = int(version.split(".")[0])
    except ValueError:
        raise ModelFileError(f"{source} has an unreadable format version '{version}'.") from None
    if major > int(supported_version.split(".")[0]):
        raise ModelFileError(f"{source} was written by a newer Backprop Studio ({kind} format {version}); "
                             "update the app to open it.")
    return version
