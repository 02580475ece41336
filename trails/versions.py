"""Every version Baladeur states, in one place (docs/architecture.md#versions explains them).

``pyproject.toml`` reads the package version from here; the bundle format, the HTTP API and
the JavaScript engine's npm package import or are checked against these (tests/test_versions.py).
"""

# The Python distribution ``baladeur`` (pip, the wheel, ``baladeur --version``).
PACKAGE_VERSION = "0.1.0"

# The ``format`` of a bundle's manifest: a reader refuses a format it does not know.
BUNDLE_FORMAT_VERSION = 1
# Its minor version (``format_minor``, absent meaning 0): newer minors are read, unknown
# members ignored; a newer major is refused (docs/bundle-format.md, "Versioning").
BUNDLE_FORMAT_MINOR = 2

# The HTTP API, as the OpenAPI document's ``info.version`` states it.
API_VERSION = "0.1.0"

# The npm package ``@baladeur/engine`` (web/engine/package.json), the JavaScript engine.
ENGINE_NPM_VERSION = "0.1.0"
