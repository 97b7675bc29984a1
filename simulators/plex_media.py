"""The Media and Part nodes of a generated library's playable items, as Plex lists them."""

from simulators.plex_layout import ADDED_FROM, RK_LIBRARY
from simulators.plex_words import pick

RESOLUTIONS = ("4k", "4k", "1080", "1080", "1080", "1080", "1080", "720", "720", "sd")
VIDEO = {
    "4k": (3840, 2160, "hevc", "main 10", 24000),
    "1080": (1920, 1080, "h264", "high", 11000),
    "720": (1280, 720, "h264", "high", 4500),
    "sd": (720, 480, "mpeg4", "advanced simple", 1700),
}


def media_node(library: int, rk: int, b: bytes, duration: int, path: str, video: bool) -> tuple:
    """Return the Media node, with its one Part, of a playable item (a video or a track)."""
    media_id = rk % RK_LIBRARY + library * 3_000_000
    if not video:
        part = {
            "id": media_id,
            "key": f"/library/parts/{media_id}/{ADDED_FROM + b[8] * 9973}/file.flac",
            "duration": duration,
            "file": path + ".flac",
            "size": duration * 110,
            "container": "flac",
        }
        attrs = {
            "id": media_id,
            "duration": duration,
            "bitrate": 880,
            "audioChannels": 2,
            "audioCodec": "flac",
            "container": "flac",
        }
        return ("Media", attrs, [("Part", part, ())])
    resolution = pick(RESOLUTIONS, b[23])
    width, height, codec, profile, bitrate = VIDEO[resolution]
    bitrate += b[22] * 7
    container = "avi" if resolution == "sd" else "mkv"
    part = {
        "id": media_id,
        "key": f"/library/parts/{media_id}/{ADDED_FROM + b[8] * 9973}/file.{container}",
        "duration": duration,
        "file": f"{path}.{container}",
        "size": duration * bitrate // 8,
        "container": container,
        "indexes": "sd",
        "videoProfile": profile,
    }
    attrs = {
        "id": media_id,
        "duration": duration,
        "bitrate": bitrate,
        "width": width,
        "height": height,
        "aspectRatio": 1.78,
        "audioChannels": 6 if b[21] % 2 else 2,
        "audioCodec": "eac3" if b[21] % 3 else "ac3",
        "videoCodec": codec,
        "videoResolution": resolution,
        "container": container,
        "videoFrameRate": "24p",
        "videoProfile": profile,
        "hasVoiceActivity": False,
    }
    return ("Media", attrs, [("Part", part, ())])
