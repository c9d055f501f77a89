"""Photo uploads: checked by size and by what Pillow finds inside (not by the name or the declared
type), re-encoded as JPEG (which drops metadata such as GPS positions) with a thumbnail."""

from __future__ import annotations

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG", "PNG", "WEBP"}
LONG_SIDE = 2400
THUMB_SIDE = 480


def process_photo(upload: UploadedFile) -> tuple[ContentFile[bytes], ContentFile[bytes]]:
    """The image and its thumbnail as JPEG files; ValidationError with a message for anything else."""
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError(
            _("The photo is %(size)s MB; at most %(max)s MB is accepted.")
            % {"size": round((upload.size or 0) / 1024 / 1024, 1), "max": MAX_BYTES // 1024 // 1024}
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                kind = probe.format
                if kind not in FORMATS:
                    raise ValidationError(_("Only JPEG, PNG and WebP photos are accepted."))
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationError(_("The photo has too many pixels (at most 40 megapixels)."))
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
                picture = ImageOps.exif_transpose(image).convert("RGB")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
        raise ValidationError(_("The file is not a photo we can read (JPEG, PNG or WebP).")) from None
    picture.thumbnail((LONG_SIDE, LONG_SIDE))
    full = io.BytesIO()
    picture.save(full, "JPEG", quality=85, optimize=True)
    thumb = picture.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    small = io.BytesIO()
    thumb.save(small, "JPEG", quality=80, optimize=True)
    return ContentFile(full.getvalue(), name="photo.jpg"), ContentFile(small.getvalue(), name="thumb.jpg")
