"""Reading, writing and looking at clips: mp4 / webm / gif / PNG folders, and contact sheets."""

from .media import digest, iter_mask, iter_media, read_mask, read_media
from .sheet import contact_sheet, sheet_of_many
from .video import Stream, Video, VideoError, check_output, iter_video, read_video, write_video

__all__ = [
    "Stream",
    "Video",
    "VideoError",
    "check_output",
    "contact_sheet",
    "digest",
    "iter_mask",
    "iter_media",
    "iter_video",
    "read_mask",
    "read_media",
    "read_video",
    "sheet_of_many",
    "write_video",
]
