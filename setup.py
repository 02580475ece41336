"""Packaging hook: a wheel of Baladeur carries the built web apps, or is not built at all."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

# The apps server/webapps.py serves, built from web/ into server/static/ by scripts/setup.sh.
WEB_APPS = ("player", "studio", "contribute", "apidocs")
STATIC = Path(__file__).resolve().parent / "server" / "static"


class BuildWithWebApps(build_py):
    """Refuses a wheel without the web apps: an installed server would answer 503 on them."""

    def run(self) -> None:
        """Check that the built apps are there, then copy the packages as usual."""
        # An editable install serves server/static/ from the working tree, built or not yet.
        if not self.editable_mode:
            missing = [app for app in WEB_APPS if not (STATIC / app / "index.html").is_file()]
            if missing:
                raise SystemExit(
                    f"baladeur: the web apps {', '.join(missing)} are not built in {STATIC}; "
                    "run scripts/setup.sh run (or npm ci && npm run build) before building a wheel"
                )
        super().run()


setup(cmdclass={"build_py": BuildWithWebApps})
