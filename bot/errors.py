"""Exceptions of minhu, one line each."""


class MinhuError(Exception):
    """Base of minhu's own errors."""


class ConfigError(MinhuError):
    """config.yaml or the environment is invalid; the message names the file and the key."""


class NoChannel(MinhuError):
    """No channel could reach the recipient (outside the window and no template configured)."""


class AlreadyRunning(MinhuError):
    """Another `minhu serve` holds the port or the data folder."""


class Replayed(MinhuError):
    """A signed query came again with another message: someone replays a query they saw, not WeChat retrying."""


class MediaUnavailable(MinhuError):
    """A resident's photo, voice or video could not be fetched from WeChat this time; RQ retries the job."""


class StorageUnavailable(MinhuError):
    """The media store (the data folder or an S3-compatible bucket) would not take or give a file this time."""
