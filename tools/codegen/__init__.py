"""Code and schema generator for ocpkit (not shipped).

Each generator module listed in :data:`GENERATORS` exposes:

* ``OWNED`` -- a tuple of repository-relative directories (or files) that it
  writes whole; any file under an owned directory that the generator did not
  produce is stale and is deleted (or reported by ``--check``);
* ``generate(shared: pathlib.Path) -> dict[str, str]`` -- repository-relative
  path -> file content, deterministic for the same input.

``python -m tools.codegen`` writes everything; ``python -m tools.codegen
--check`` writes nothing and exits 1 when any generated file is missing,
different or stale.
"""

GENERATORS: tuple[str, ...] = ("tools.codegen.ocpp", "tools.codegen.ocpi", "tools.codegen.device_model")
