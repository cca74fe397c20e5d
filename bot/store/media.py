"""The evidence kept: a resident's photo, voice or video put in the media store (bot/store/blobs.py), photos cleaned.

WeChat deletes temporary media three days after it is sent, so workers/media.py fetches each file at once and
this module keeps it: a photo is re-encoded as JPEG without its EXIF block (the GPS position of the phone, the
camera's serial) after turning it upright, with a thumbnail for the desk; voice and video are kept as sent.
"""
from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from bot.errors import ConfigError
from bot.store.blobs import Blobs, FolderBlobs, s3_place
from bot.store.blobs_s3 import S3Blobs

THUMBNAIL_SIZE = (320, 320)
PHOTO_MAX = (2560, 2560)  # a phone photo stays readable; a 50-megapixel original would fill the disk
JPEG_QUALITY = 85
EXTENSIONS = {"audio/amr": ".amr", "audio/mpeg": ".mp3", "audio/x-speex": ".speex", "video/mp4": ".mp4",
              "image/jpeg": ".jpg", "image/png": ".jpg", "image/gif": ".jpg"}


class NotAPhoto(ValueError):
    """The bytes WeChat sent for a photo are no image Pillow can read."""


def clean_photo(data: bytes) -> tuple[bytes, bytes]:
    """The photo upright, without EXIF, XMP or comments, as JPEG; and its thumbnail."""
    try:
        with Image.open(io.BytesIO(data)) as original:
            original.load()
            upright = ImageOps.exif_transpose(original)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise NotAPhoto(str(exc)) from None
    # A new image from the pixels alone: whatever metadata the original carried stays behind.
    pixels = upright.convert("RGB")
    clean = Image.new("RGB", pixels.size)
    clean.paste(pixels)
    clean.thumbnail(PHOTO_MAX)
    photo, thumb = io.BytesIO(), io.BytesIO()
    clean.save(photo, "JPEG", quality=JPEG_QUALITY, optimize=True)
    small = clean.copy()
    small.thumbnail(THUMBNAIL_SIZE)
    small.save(thumb, "JPEG", quality=80)
    return photo.getvalue(), thumb.getvalue()


def keep(blobs, ticket_id: int, attachment_id: int, kind: str, data: bytes,
         content_type: str) -> tuple[str, str | None, str]:
    """Put the file (and a photo's thumbnail) in the media store (bot/store/blobs.py); return their keys and the type."""
    if kind == "image":
        photo, thumb = clean_photo(data)
        files = {f"{attachment_id}.jpg": photo, f"{attachment_id}.thumb.jpg": thumb}
        content_type = "image/jpeg"
    else:
        files = {f"{attachment_id}{EXTENSIONS.get(content_type, '.bin')}": data}
    for name, body in files.items():
        blobs.put(f"{ticket_id}/{name}", body, "image/jpeg" if name.endswith(".jpg") else content_type)
    names = [f"{ticket_id}/{name}" for name in files]
    return names[0], (names[1] if len(names) > 1 else None), content_type


def keep_thumbnail(blobs, ticket_id: int, attachment_id: int, picture: bytes) -> str:
    """Put a video's thumbnail (WeChat's first-frame picture) in the media store, cleaned as a photo; return its key."""
    key = f"{ticket_id}/{attachment_id}.thumb.jpg"
    blobs.put(key, clean_photo(picture)[1], "image/jpeg")
    return key


def open_blobs(settings) -> Blobs:
    """The store this process keeps media in, built once at start (ConfigError naming the variable when wrong)."""
    place = s3_place(settings.secrets)
    if place is None:
        return FolderBlobs(settings.secrets.data_dir / "media")
    return S3Blobs(place)


def checked_store(settings) -> str:
    """Where media is kept, once the bucket has answered (for `minhu check`); ConfigError naming what is wrong."""
    store = open_blobs(settings)
    try:
        problem = store.problem()
    finally:
        store.close()
    if problem:
        raise ConfigError(problem)
    return f"the data folder ({store.where})" if isinstance(store, FolderBlobs) else f"{store.where}: ok"
