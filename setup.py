"""Package discovery for cassbot (all metadata lives in pyproject.toml).

`config/` stays a plain data folder in the repository (it is also the name of an unrelated PyPI
package), and is shipped inside the wheel as `cassbot._config` so that an installed cassbot finds
its default configuration and lexicons wherever it runs.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(
            include=[
                "cassbot",
                "cassbot.*",
                "adapters",
                "adapters.*",
                "moderation",
                "moderation.*",
            ]
        ),
        "cassbot._config",
    ],
    package_dir={"cassbot._config": "config"},
    package_data={
        "": ["templates/*.html", "templates/*.xml", "static/*", "*.mako", "py.typed"],
        "cassbot._config": ["*.toml", "lexicons/*.toml", "lexicons/*.txt"],
    },
)
