"""Settings of the bench server: the production settings, with the bench's URLconf on top."""

from mias.settings import *  # noqa: F403

ROOT_URLCONF = "devtools.bench_urls"
