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
