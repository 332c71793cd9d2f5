"""The app's door to the map package (murmuration_map/, installed by requirements.txt): the pages draw the map
through this module, so the package can change its layout without the pages noticing. The package takes plain
columns and knows nothing of core; see its own docstrings for the arguments."""
from murmuration_map import INLINE_TEXT_LIMIT, MapEvent, current_event, prepare_map, scatter_map

__all__ = ["INLINE_TEXT_LIMIT", "MapEvent", "current_event", "prepare_map", "scatter_map"]
