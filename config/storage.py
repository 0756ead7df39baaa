"""Static files for production: WhiteNoise's compressed, hashed storage.

The pinned NHS.UK frontend ships its minified CSS and JS with ``sourceMappingURL`` comments
naming maps it does not ship, and Django's manifest storage refuses a reference it cannot
find. Source maps are of no use to our users, so their references are left as written:
only ``url()`` and ``@import`` in CSS are rewritten to the hashed names.
"""

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    kept = []
    for glob, rules in patterns:
        rules = tuple(
            rule
            for rule in rules
            if "sourceMappingURL" not in (rule if isinstance(rule, str) else rule[0])
        )
        if rules:
            kept.append((glob, rules))
    return tuple(kept)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)

    def create_compressor(self, **kwargs):
        # Source maps (several MB each in the API explorer's bundles) are never fetched by
        # our users; compressing them with Brotli would be most of collectstatic's time.
        skipped = kwargs.get("extensions") or Compressor.SKIP_COMPRESS_EXTENSIONS
        kwargs["extensions"] = [*skipped, "map"]
        return super().create_compressor(**kwargs)
