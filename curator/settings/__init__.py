"""One typed settings registry.

`Settings` (`settings.fields`) is a frozen dataclass, one field per setting
with its title, description and bounds, so the settings dialog, the validator
and the docs' reference are made from this one list; a `Settings` instance is
immutable, and workers receive it as a snapshot. `settings.registry` reads the
fields (`FIELDS`), checks values as pydantic does, and loads and saves them.
"""

from curator.settings.fields import Settings as Settings
from curator.settings.fields import clip_config as clip_config
from curator.settings.fields import embedding_model_id as embedding_model_id
from curator.settings.fields import root_pairs as root_pairs
from curator.settings.registry import ADVANCED as ADVANCED
from curator.settings.registry import FIELDS as FIELDS
from curator.settings.registry import InvalidSettings as InvalidSettings
from curator.settings.registry import SettingsError as SettingsError
from curator.settings.registry import env_name as env_name
from curator.settings.registry import env_overrides as env_overrides
from curator.settings.registry import form_fields as form_fields
from curator.settings.registry import load_settings as load_settings
from curator.settings.registry import pydantic_model as pydantic_model
from curator.settings.registry import save_changes as save_changes
from curator.settings.registry import save_settings as save_settings
from curator.settings.registry import settings_markdown as settings_markdown
from curator.settings.registry import validate as validate
