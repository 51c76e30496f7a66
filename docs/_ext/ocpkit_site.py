"""Site-only Sphinx extension: writes the generated reference and renders tables read from ocpkit.

Theory of operation: on ``builder-inited`` :func:`generate` walks the OCPP
action registries, the OCPI object registries and the package's hand-written
modules and writes one small reStructuredText page per action, per object, per
version (types and enums) and per module into ``docs/reference/_generated``
(git-ignored). The pages only hold directives of :mod:`ocpkit.sphinxext`, so
the tables come from the models at build time. Files are rewritten only when
their text changes, so incremental builds stay incremental. Action and object
pages are ``:orphan:`` and reached from the version index tables: with several
hundred of them in the navigation tree, the theme would render that whole tree
on every page and the build time would grow with the square of the page count.

Pieces of the library that are not present in a checkout (a version package,
the validation module, the state machines ...) are not an error: the page that
would show them says so in a visible note and the build goes on.

Directives for hand-written pages: ``ocpkit-support-matrix``,
``ocpkit-error-codes`` and ``ocpkit-state-machines``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ocpkit_diagrams import Arrow, state_svg

import ocpkit
from ocpkit import sphinxext
from ocpkit._fsm import edges
from ocpkit.findings import SpecRule

LOG = logging.getLogger(__name__)
GENERATED = Path("reference") / "_generated"
_OCPP_PACKAGES = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}
_OCPI_PACKAGES = {"2.1.1": "v211", "2.2.1": "v221", "2.3.0": "v230"}


# ---------------------------------------------------------------------------
# Page generation (pure: returns {relative path: text})
# ---------------------------------------------------------------------------


def _title(text: str, char: str = "=") -> str:
    return f"{text}\n{char * len(text)}\n"


def _note(text: str) -> str:
    return f".. note::\n\n   {text}\n"


def _toctree(entries: list[str], *, hidden: bool = True, maxdepth: int = 1) -> str:
    lines = [".. toctree::", f"   :maxdepth: {maxdepth}"]
    if hidden:
        lines.append("   :hidden:")
    lines.append("")
    lines.extend(f"   {e}" for e in entries)
    return "\n".join(lines) + "\n"


def _missing(what: str, exc: BaseException) -> str:
    LOG.info("ocpkit docs: %s not available (%s)", what, exc)
    return _note(f"{what} is not available in this build ({type(exc).__name__}: {exc}).")


def ocpp_pages() -> dict[str, str]:
    """Pages of the OCPP reference: one index per version, one page per action, types and enums."""
    from ocpkit import ocpp

    pages: dict[str, str] = {}
    version_entries = []
    rows = []
    for version in ocpp.VERSIONS:
        pkg = _OCPP_PACKAGES[version]
        version_entries.append(f"{pkg}/index")
        try:
            registry = ocpp.actions(version)
        except ImportError as exc:
            pages[f"ocpp/{pkg}/index.rst"] = (
                _title(f"OCPP {version}") + "\n" + _missing(f"The OCPP {version} model", exc)
            )
            rows.append(f"   * - :doc:`OCPP {version} <{pkg}/index>`\n     - not available\n     -\n     -")
            continue
        names = sorted(registry)
        types, enums = sphinxext.ocpp_models(version), sphinxext.ocpp_enums(version)
        rows.append(
            f"   * - :doc:`OCPP {version} <{pkg}/index>`\n     - {len(names)}\n"
            f"     - {len(types)}\n     - {len(enums)}"
        )
        table = [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 35 40 25",
            "",
            "   * - Action",
            "     - Sent by",
            "     - Response",
        ]
        for name in names:
            spec = registry[name]
            table.append(f"   * - :doc:`{name} <actions/{name}>`")
            table.append(f"     - {sphinxext.sender_text(spec.sender, version)}")
            table.append(f"     - {'none (SEND)' if spec.response is None else 'yes'}")
            pages[f"ocpp/{pkg}/actions/{name}.rst"] = (
                ":orphan:\n\n"
                + _title(f"{name} (OCPP {version})")
                + f"\n.. ocpp-message:: {version} {name}\n   :changes:\n"
            )
        pages[f"ocpp/{pkg}/index.rst"] = "\n".join(
            [
                _title(f"OCPP {version}"),
                f"{len(names)} actions, {len(types)} data types and {len(enums)} enumerations, "
                f'read from ``ocpkit.ocpp.actions("{version}")`` and the models it names.',
                "",
                "\n".join(table),
                "",
                "* :doc:`types`",
                "* :doc:`enums`",
                "",
                _toctree(["types", "enums"]),
            ]
        )
        pages[f"ocpp/{pkg}/types.rst"] = _types_page(
            f"OCPP {version} data types", "ocpp-type", version, list(types)
        )
        pages[f"ocpp/{pkg}/enums.rst"] = _types_page(
            f"OCPP {version} enumerations", "ocpp-enum", version, list(enums)
        )
    pages["ocpp/index.rst"] = "\n".join(
        [
            _title("OCPP reference"),
            "One page per action of each version, with the request and response fields, who sends the "
            "request, the versions that have the action and what changed between them.",
            "",
            ".. list-table::",
            "   :header-rows: 1",
            "",
            "   * - Version",
            "     - Actions",
            "     - Data types",
            "     - Enumerations",
            *rows,
            "",
            _toctree(version_entries, hidden=False),
        ]
    )
    return pages


def _types_page(title: str, directive: str, version: str, names: list[str]) -> str:
    parts = [_title(title), ""]
    if not names:
        parts.append("None.\n")
    for name in names:
        parts.append(_title(name, "-"))
        parts.append(f".. {directive}:: {version} {name}\n")
    return "\n".join(parts)


def slug(name: str) -> str:
    """A file name for an object name (some OCPI names contain spaces)."""
    return name.replace(" ", "_")


def ocpi_pages() -> dict[str, str]:
    """Pages of the OCPI reference: per version, one page per object and class, grouped by module."""
    pages: dict[str, str] = {}
    version_entries = []
    rows = []
    for version, pkg in _OCPI_PACKAGES.items():
        version_entries.append(f"{pkg}/index")
        try:
            objects = sphinxext.ocpi_objects(version)
            classes, enums = sphinxext.ocpi_models(version), sphinxext.ocpi_enums(version)
            top_level = sphinxext.ocpi_module_objects(version)
        except ImportError as exc:
            note = _missing(f"The OCPI {version} model", exc)
            pages[f"ocpi/{pkg}/index.rst"] = _title(f"OCPI {version}") + "\n" + note
            rows.append(f"   * - :doc:`OCPI {version} <{pkg}/index>`\n     - not available\n     -\n     -")
            continue
        rows.append(
            f"   * - :doc:`OCPI {version} <{pkg}/index>`\n     - {len(objects)}\n"
            f"     - {len(top_level) or '—'}\n     - {len(enums)}"
        )
        by_module: dict[str, list[str]] = {}
        for name, cls in objects.items():
            by_module.setdefault(sphinxext.ocpi_module_of(cls), []).append(name)
        body = [
            _title(f"OCPI {version}"),
            f"{len(objects)} objects and classes in {len(by_module)} modules, and {len(enums)} enumerations, "
            f"read from ``ocpkit.ocpi.{pkg}.OBJECTS``.",
            "",
        ]
        for module in sorted(by_module):
            body.append(_title(f"Module {module}", "-"))
            main = [n for n in top_level.get(module, ()) if n in objects]
            rest = sorted(n for n in by_module[module] if n not in main)
            if main:
                body.append("Objects: " + ", ".join(f":doc:`{n} <objects/{slug(n)}>`" for n in main) + ".\n")
            if rest:
                label = "Classes" if main else "Objects and classes"
                body.append(f"{label}: " + ", ".join(f":doc:`{n} <objects/{slug(n)}>`" for n in rest) + ".\n")
        extra = ["types"] if classes else []
        body.append(_title("Shared", "-"))
        body.extend([*(f"* :doc:`{e}`" for e in extra), "* :doc:`enums`", ""])
        body.append(_toctree([*extra, "enums"]))
        pages[f"ocpi/{pkg}/index.rst"] = "\n".join(body)
        for name, cls in objects.items():
            module = sphinxext.ocpi_module_of(cls)
            pages[f"ocpi/{pkg}/objects/{slug(name)}.rst"] = (
                ":orphan:\n\n"
                + _title(f"{name} (OCPI {version})")
                + f"\nModule ``{module}``; Python class ``{cls.__module__}.{cls.__qualname__}``.\n\n"
                + f".. ocpi-object:: {version} {name}\n   :changes:\n"
            )
        if classes:
            pages[f"ocpi/{pkg}/types.rst"] = _types_page(
                f"OCPI {version} classes", "ocpi-object", version, list(classes)
            )
        pages[f"ocpi/{pkg}/enums.rst"] = _types_page(
            f"OCPI {version} enumerations", "ocpi-enum", version, list(enums)
        )
    conversion = conversion_page()
    if conversion is not None:
        pages["ocpi/conversion.rst"] = conversion
        version_entries.append("conversion")
    pages["ocpi/index.rst"] = "\n".join(
        [
            _title("OCPI reference"),
            "One page per object and class of each version, grouped by OCPI module, with the field tables "
            "and what changed between versions; and :doc:`conversion`, what converting between versions "
            "changes and loses."
            if conversion is not None
            else "",
            "",
            ".. list-table::",
            "   :header-rows: 1",
            "",
            "   * - Version",
            "     - Objects and classes",
            "     - Modules",
            "     - Enumerations",
            *rows,
            "",
            _toctree(version_entries, hidden=False),
        ]
    )
    return pages


_DM_PACKAGES = {"2.0.1": "v201", "2.1": "v21"}
_DM_COLUMNS = (
    ("variable", "Variable"),
    ("instance", "Instance"),
    ("attributes", "Attribute"),
    ("type", "Type"),
    ("unit", "Unit"),
    ("values", "Values"),
    ("mutability", "Mutability"),
    ("required", "Required"),
    ("limits", "Limits"),
)


def _rst(text: str) -> str:
    """Text safe inside a table cell: inline markup characters escaped."""
    for char in ("\\", "*", "`", "|", "_"):
        text = text.replace(char, "\\" + char)
    return text


def _list_table(header: list[str], rows: list[list[str]], widths: str | None = None) -> str:
    lines = [".. list-table::", "   :header-rows: 1"]
    if widths:
        lines.append(f"   :widths: {widths}")
    lines.append("")
    for row in [header, *rows]:
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    return "\n".join(lines) + "\n"


def _variable_table(summaries: list[dict[str, str]]) -> str:
    keep = [(k, title) for k, title in _DM_COLUMNS if any(s[k] for s in summaries) or k == "variable"]
    rows = [[_rst(s[k]) or " " for k, _ in keep] for s in summaries]
    return _list_table([title for _, title in keep], rows)


def device_model_pages() -> dict[str, str]:
    """The device-model reference: per version an index and a page per component; the 1.6 key map."""
    try:
        from ocpkit.ocpp import device_model as dm
    except ImportError as exc:
        return {"device_model/index.rst": _title("Device model") + "\n" + _missing("The device model", exc)}
    pages: dict[str, str] = {}
    sections = []
    for version, pkg in _DM_PACKAGES.items():
        cat = dm.catalogue(version)
        rows = []
        for comp in cat.components:
            own = cat.variables_of(comp.name)
            referenced = [e for e in own if e.origin == "referenced"]
            rows.append(
                [
                    f":doc:`{comp.name} <{pkg}/{comp.name}>`" + ("" if comp.listed else " (\\*)"),
                    comp.kind or " ",
                    str(len(referenced)),
                    str(sum(e.required for e in referenced)),
                    str(len(own) - len(referenced)),
                ]
            )
            pages[f"device_model/{pkg}/{comp.name}.rst"] = _component_page(dm, cat, comp)
        generic = [e for e in cat.referenced if e.component is None]
        pages[f"device_model/{pkg}/generic.rst"] = "\n".join(
            [
                ":orphan:\n",
                _title(f"Variables of any component (OCPP {version})"),
                f"The {len(generic)} rows the published table marks ``<generic>``: variables any "
                "component may have, with the type and unit they take there.",
                "",
                _variable_table([e.summary() for e in generic]),
            ]
        )
        notes = [[_rst(n.key), _rst(n.field), _rst(n.used), _rst(n.other), _rst(n.source)] for n in cat.notes]
        sections += [
            _title(f"OCPP {version}", "-"),
            f"{len(cat.components)} components, {len(cat.referenced)} referenced variables "
            f"({len(generic)} of them on :doc:`any component <{pkg}/generic>`), {len(cat.typical)} typical "
            f"variables of the appendix sections, {len(cat.standardized)} standardized variables, "
            f"{len(cat.reason_codes)} reason codes, {len(cat.security_events)} security events "
            f"({sum(e.critical for e in cat.security_events)} critical), {len(cat.units)} units of measure.",
            "",
            _list_table(["Component", "Kind", "Referenced", "Required", "Typical"], rows, "40 15 15 15 15"),
            "(\\*) named by the variables table and the appendix, not by the published components table.\n",
            _title(f"Where the OCA tables disagree ({version})", "~"),
            "The catalogue keeps the published table's value and records the other; the value checks "
            "accept a value that fits either data type.\n",
            _list_table(["Entry", "Field", "Kept", "Other", "Said by"], notes) if notes else "None.\n",
        ]
    pages["device_model/mapping16.rst"] = _mapping_page(dm)
    pages["device_model/index.rst"] = "\n".join(
        [
            _title("Device model"),
            " ".join(
                [
                    "The standardized components and variables of OCPP 2.0.1 and 2.1, generated from",
                    "the OCA appendix tables into ``ocpkit.ocpp.device_model`` and read here when the",
                    "documentation is built. Each component page lists its variables with data type, unit,",
                    "values list, mutability and whether the published table requires them;",
                    ":doc:`mapping16` lists the OCPP 1.6 configuration keys and the 2.x variables that",
                    "replace them, source by source.",
                ]
            ),
            "",
            "* :doc:`mapping16`",
            "",
            *sections,
            _toctree(["mapping16"]),
        ]
    )
    return pages


def _component_page(dm: Any, cat: Any, comp: Any) -> str:
    version = cat.version
    own = cat.variables_of(comp.name)
    where = f" Appendix §{comp.section}, a {comp.kind} component." if comp.section else ""
    parts = [
        ":orphan:\n",
        _title(f"{comp.name} (OCPP {version})"),
        f'Read from ``ocpkit.ocpp.device_model.catalogue("{version}").variables_of("{comp.name}")``.{where}',
        "",
    ]
    referenced = [e.summary() for e in own if e.origin == "referenced"]
    typical = [cat.effective(e).summary() for e in own if e.origin == "typical"]
    if referenced:
        parts += [_title("Referenced variables", "-"), _variable_table(referenced)]
    if typical:
        parts += [
            _title("Typical variables (appendix §3)", "-"),
            "A type shown for a row that states none is the standardized variable's.\n",
            _variable_table(typical),
        ]
    if not own:
        parts.append("The tables list no variable of its own; the standardized variables apply.\n")
    notes = [n for n in cat.notes if n.key.split(".", 1)[0] == comp.name]
    if notes:
        parts += [
            _title("Where the OCA tables disagree", "-"),
            _list_table(
                ["Entry", "Field", "Kept", "Other", "Said by"],
                [[_rst(n.key), _rst(n.field), _rst(n.used), _rst(n.other), _rst(n.source)] for n in notes],
            ),
        ]
    return "\n".join(parts)


def _mapping_page(dm: Any) -> str:
    rows = []
    for key in dm.config_keys():
        mapped = dm.mapping_16_to_2x(key.key)
        targets = "; ".join(
            f"{_rst(t.text)} ({', '.join(t.said_by)}{'' if t.standard else ', not in the OCA tables'})"
            for t in (mapped.targets if mapped else ())
        )
        rows.append(
            [
                _rst(key.key),
                key.profile,
                key.data_type,
                key.accessibility,
                "yes" if key.required else "no",
                targets or "no source maps it",
            ]
        )
    others = [m for m in dm.mapped_keys() if dm.config_key(m.key) is None]
    other_rows = [
        [
            _rst(m.key),
            _rst(m.origin),
            "; ".join(f"{_rst(t.text)} ({', '.join(t.said_by)})" for t in m.targets),
        ]
        for m in others
    ]
    split = [m for m in dm.mapped_keys() if not m.agreed]
    return "\n".join(
        [
            _title("OCPP 1.6 configuration keys → OCPP 2.x"),
            " ".join(
                [
                    "Which 2.x variable replaces each OCPP 1.6 configuration key, as",
                    "``mapping_16_to_2x(key)`` returns it: one row per source statement of the shared",
                    "mapping table (the OCA uptime whitepaper, EVerest's key list, the SAP simulator's",
                    "key map), grouped by target. Nothing is inferred: a key no source maps says so.",
                ]
            ),
            "",
            _title("The standard keys (OCPP 1.6 §9)", "-"),
            _list_table(["Key", "Profile", "Type", "Access", "Required", "2.x target (said by)"], rows),
            _title("Where the sources disagree", "-"),
            "\n".join(f"* ``{m.key}``: {_rst(m.disagreement or '')}" for m in split) + "\n",
            _title("Other keys the sources map", "-"),
            "Keys of the security whitepaper, the ISO 15118 application note, and keys of one "
            "implementation.\n",
            _list_table(["Key", "Defined by", "2.x target (said by)"], other_rows),
        ]
    )


def conversion_page() -> str | None:
    """The "what changes between versions" page: the conversion tables of every step, read at build time."""
    try:
        conversion = importlib.import_module("ocpkit.ocpi.conversion")
    except ImportError as exc:
        LOG.info("ocpkit docs: OCPI conversion not available (%s)", exc)
        return None
    kinds = [
        ("renamed", "the field has another name; its value converts as its type says"),
        ("derived", "a target field computed from the source (the result's ``derived`` list says how)"),
        ("context", "a target field the source cannot fill: taken from ``context`` (a key below)"),
        ("omitted", "a value the target reads from absence is left out, without loss"),
        ("lost", "the source field, or the part of it named, is not carried: reported as a loss"),
        (
            "refused",
            "a value the target cannot express without changing its meaning: the enclosing "
            "object named is left out (a loss), or the conversion fails",
        ),
        ("values", "enum values the target lacks: mapped where the row says, else left out"),
        ("narrower", "values the target's limits refuse: left out"),
    ]
    no_drop = ", ".join(f"``{k}`` ({v})" for k, v in conversion.NO_DROP.items())
    steps = [("2.1.1", "2.2.1"), ("2.2.1", "2.1.1"), ("2.2.1", "2.3.0"), ("2.3.0", "2.2.1")]
    body = [
        _title("What changes between versions"),
        ":func:`ocpkit.ocpi.convert <ocpkit.ocpi.conversion.convert>` turns an OCPI object of one version "
        "into the same object of another and reports, by JSON pointer into the input, every value the "
        "target cannot hold. The tables below are its conversion tables (``ocpkit.ocpi.conversion.TABLES`` "
        "and ``ENUM_MAPS``) and what the two models of each step say, read when the documentation is "
        "built (:func:`ocpkit.ocpi.conversion.describe`): every loss a conversion can report is listed here. "
        "2.1.1 ⇄ 2.3.0 goes through 2.2.1, so both of its steps apply. Command line: "
        "``ocpkit convert FILE --from 2.1.1 --to 2.2.1``; how-to: :doc:`/howto/convert-ocpi`.",
        "",
        _title("Reading the tables", "-"),
        "\n".join(f"* **{k}**: {v}." for k, v in kinds),
        "",
        "*Left out* means the smallest optional field or list item that holds the value is not carried "
        "(an EVSE whose last connector went is left out of its Location), and the loss names it. Where "
        "nothing may be left out -- a required field of the object itself -- the conversion fails with "
        f":class:`ocpkit.errors.ConversionError`. Never left out piecewise: {no_drop}. Properties a "
        "lenient parse accepted that are not OCPI fields are lost too.",
        "",
        _title("Context keys", "-"),
        "What a caller can supply in ``convert(..., context={...})``; a conversion that needs one and "
        "lacks it raises a ``ConversionError`` whose ``missing`` names it.",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 25 75",
        "",
        "   * - Key",
        "     - Supplies",
        *(f"   * - ``{k}``\n     - {v}" for k, v in conversion.CONTEXT_KEYS.items()),
        "",
    ]
    for source, target in steps:
        body.append(_title(f"OCPI {source} → {target}", "-"))
        body.append(f".. ocpi-conversion:: {source} {target}\n")
    return "\n".join(body)


RULE_TABLES: tuple[tuple[str, str], ...] = (
    ("OCPP", "ocpkit.ocpp.rules"),
    ("OCPI", "ocpkit.ocpi.rules"),
)
"""The spec-rule tables the rules page lists: (heading, module holding ``RULES``)."""


def spec_rules_page(tables: Sequence[tuple[str, Sequence[SpecRule]]]) -> str:
    """The spec-rules page: one table per rule table, every rule with its versions, section and severity."""
    body = [
        _title("Spec rules"),
        "Rules the OCPP and OCPI texts state and no schema carries. Each is checked on its own, apart "
        "from the schema verdict, which it never changes: ``ocpkit validate`` lists what a rule finds with "
        "the frame, as a finding whose code is ``spec.`` followed by the rule id "
        "(``--rules schema`` turns them off). The statements are ocpkit's own words; the section names "
        "where the text states the rule.",
        "",
    ]
    for heading, rules in tables:
        body.append(_title(f"{heading} ({len(rules)} rules)", "-"))
        rows = [
            [
                f"``{r.id}``",
                ", ".join(r.versions),
                _rst(r.section),
                _rst(r.statement),
                str(r.severity),
            ]
            for r in rules
        ]
        header = ["Id", "Versions", "Section", "Statement", "Severity"]
        body.append(_list_table(header, rows, "22 10 22 38 8"))
    return "\n".join(body)


def rule_tables() -> list[tuple[str, Sequence[SpecRule]]]:
    """The rule tables of :data:`RULE_TABLES` present in this checkout."""
    found: list[tuple[str, Sequence[SpecRule]]] = []
    for heading, module in RULE_TABLES:
        try:
            rules = importlib.import_module(module).RULES
        except (ImportError, AttributeError) as exc:
            LOG.info("ocpkit docs: no %s spec rules (%s)", heading, exc)
            continue
        found.append((heading, tuple(rules)))
    return found


def hand_written_modules() -> list[str]:
    """Public hand-written modules of ocpkit: generated version packages and private modules excluded."""
    generated = {f"ocpkit.ocpp.{p}" for p in _OCPP_PACKAGES.values()} | {
        f"ocpkit.ocpi.{p}" for p in _OCPI_PACKAGES.values()
    }
    found = ["ocpkit"]
    for info in pkgutil.walk_packages(ocpkit.__path__, "ocpkit."):
        name = info.name
        if any(part.startswith("_") for part in name.split(".")):
            continue
        if any(name == g or name.startswith(g + ".") for g in generated):
            continue
        if name in ("ocpkit.__main__",):
            continue
        found.append(name)
    return sorted(found)


def api_pages() -> dict[str, str]:
    """One autodoc page per hand-written module, plus an index."""
    pages = {}
    modules = hand_written_modules()
    for module in modules:
        pages[f"api/{module}.rst"] = (
            _title(f"``{module}``") + f"\n.. automodule:: {module}\n   :members:\n   :show-inheritance:\n"
        )
    pages["api/index.rst"] = "\n".join(
        [
            _title("API reference"),
            "The hand-written modules of ocpkit. The generated models are documented per protocol "
            "version in the OCPP and OCPI references.",
            "",
            _toctree(modules, hidden=False),
        ]
    )
    return pages


def generate() -> dict[str, str]:
    """Every generated page, keyed by path relative to ``docs/reference/_generated``."""
    pages = {}
    pages.update(ocpp_pages())
    pages.update(ocpi_pages())
    pages.update(device_model_pages())
    pages.update(api_pages())
    pages["spec_rules.rst"] = spec_rules_page(rule_tables())
    return pages


def write_pages(root: Path, pages: Mapping[str, str]) -> int:
    """Write *pages* under *root*, touching only changed files and removing stale ones; return writes."""
    written = 0
    for rel, text in pages.items():
        path = root / rel
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written += 1
    if root.exists():
        for path in sorted(root.rglob("*.rst")):
            if path.relative_to(root).as_posix() not in pages:
                path.unlink()
    return written


def _builder_inited(app: Sphinx) -> None:
    pages = generate()
    written = write_pages(Path(app.srcdir) / GENERATED, pages)
    LOG.info("ocpkit docs: %d generated pages (%d rewritten)", len(pages), written)


# ---------------------------------------------------------------------------
# Directives for hand-written pages
# ---------------------------------------------------------------------------


def _table(headers: list[str], rows: list[list[str]]) -> nodes.table:
    table = nodes.table(classes=["ocpkit-table"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for _ in headers:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    row = nodes.row()
    for h in headers:
        row += nodes.entry("", nodes.paragraph(h, h))
    head += row
    group += head
    body = nodes.tbody()
    for cells in rows:
        row = nodes.row()
        for c in cells:
            row += nodes.entry("", nodes.paragraph(c, c))
        body += row
    group += body
    return table


def _feature(check: Callable[[], object]) -> str:
    try:
        result = check()
    except Exception:  # a missing piece shows as "—", whatever the reason
        return "—"
    return "✓" if result is True else (str(result) if result else "—")


def _has(module: str, attr: str) -> Callable[[], bool]:
    def check() -> bool:
        return hasattr(importlib.import_module(module), attr)

    return check


def _machines_for(protocol: str, version: str) -> Callable[[], str]:
    def check() -> str:
        names = [m.title for m in state_machines() if m.protocol == protocol and version in m.versions]
        return ", ".join(names)

    return check


class SupportMatrix(SphinxDirective):
    """``.. ocpkit-support-matrix::`` -- protocol x version x feature, probed from the package."""

    def run(self) -> list[nodes.Node]:
        """Render the matrix."""
        from ocpkit import ocpp

        def count_actions(v: str) -> Callable[[], str]:
            return lambda: f"{len(ocpp.actions(v))} actions"

        def count_objects(v: str) -> Callable[[], str]:
            return lambda: f"{len(sphinxext.ocpi_objects(v))} objects"

        def schema(v: str) -> Callable[[], bool]:
            def check() -> bool:
                from ocpkit import schemas

                first = sorted(ocpp.actions(v))[0]
                return isinstance(schemas.ocpp_schema(v, first, "request"), dict)

            return check

        def ocpi_schema(v: str) -> Callable[[], bool]:
            def check() -> bool:
                from ocpkit import schemas

                first = sorted(sphinxext.ocpi_objects(v))[0]
                return isinstance(schemas.ocpi_schema(v, first), dict)

            return check

        rows = []
        for v in ocpp.VERSIONS:
            rows.append(
                [
                    "OCPP",
                    v,
                    _feature(count_actions(v)),
                    _feature(_has("ocpkit.ocpp", "validate_payload")),
                    _feature(schema(v)),
                    _feature(_machines_for("ocpp", v)),
                    "—",
                ]
            )
        for v in _OCPI_PACKAGES:
            rows.append(
                [
                    "OCPI",
                    v,
                    _feature(count_objects(v)),
                    _feature(lambda v=v: bool(sphinxext.ocpi_objects(v))),  # type: ignore[misc]
                    _feature(ocpi_schema(v)),
                    _feature(_machines_for("ocpi", v)),
                    _feature(_has("ocpkit.tariffs", "price")),
                ]
            )
        headers = ["Protocol", "Version", "Models", "Validation", "JSON Schema", "State machines", "Pricing"]
        return [_table(headers, rows)]


class ErrorCodes(SphinxDirective):
    """``.. ocpkit-error-codes::`` -- violation kind -> OCPP-J error code per version, from the validator."""

    def run(self) -> list[nodes.Node]:
        """Render the mapping table, or a note when the validation module is absent."""
        try:
            table = _error_code_table()
        except (ImportError, AttributeError) as exc:
            return [
                _note_node(
                    f"The validation module's error-code table is not available in this build ({exc})."
                )
            ]
        headers, rows = table
        return [_table(headers, rows)]


def _note_node(text: str) -> nodes.Node:
    note = nodes.note()
    note += nodes.paragraph(text, text)
    return note


def _error_code_table() -> tuple[list[str], list[list[str]]]:
    """Lay out ``ocpkit.ocpp.rpc.RULE_CODES`` (fault kind -> code per version) with the schema keywords
    that ``ocpkit.ocpp.validation.KEYWORD_RULES`` sends to each kind."""
    from ocpkit import ocpp

    rpc = importlib.import_module("ocpkit.ocpp.rpc")
    rule_codes: Mapping[str, Mapping[str, str]] = rpc.RULE_CODES
    try:
        keyword_rules: Mapping[str, str] = importlib.import_module("ocpkit.ocpp.validation").KEYWORD_RULES
    except (ImportError, AttributeError):
        keyword_rules = {}
    keywords: dict[str, list[str]] = {}
    for keyword, rule in keyword_rules.items():
        keywords.setdefault(rule, []).append(keyword)
    versions = [v for v in ocpp.VERSIONS if any(v in codes for codes in rule_codes.values())]
    rows = [
        [rule, ", ".join(keywords.get(rule, [])) or "—", *(codes.get(v, "—") for v in versions)]
        for rule, codes in rule_codes.items()
    ]
    return ["Fault", "Schema keywords", *(f"OCPP {v}" for v in versions)], rows


# ---------------------------------------------------------------------------
# State machines
# ---------------------------------------------------------------------------


class MachineDoc:
    """A state machine found in the package, with what the docs need to draw it."""

    def __init__(self, module: str, attr: str, spec: Any, version: str | None = None) -> None:
        self.module, self.attr, self.spec = module, attr, spec
        self.title = str(getattr(spec, "name", attr))
        self.protocol = "ocpi" if module.startswith("ocpkit.ocpi") else "ocpp"
        packages = _OCPI_PACKAGES if self.protocol == "ocpi" else _OCPP_PACKAGES
        if version is not None:
            self.versions = [version]
            self.where = f"{module}.{attr}({version!r})"
            return
        factory = callable(getattr(importlib.import_module(module), attr))
        self.where = f"{module}.{attr}" + ("()" if factory else "")
        # Which versions a version-less machine serves: named in its factory or spec name (v16, v2 ...).
        hint = f"{attr} {self.title}".lower().replace(".", "")
        matched = [v for v, pkg in packages.items() if pkg in hint]
        if not matched and self.protocol == "ocpp" and ("v2" in hint or self.title.endswith("2")):
            matched = [v for v in packages if v.startswith("2")]
        self.versions = matched or list(packages)


def state_machines() -> list[MachineDoc]:
    """Every machine spec the package declares.

    Found as module-level ``Spec`` objects and as public ``*_spec`` factories
    in ``__all__``: a factory without required parameters is called once, one
    whose only required parameter is ``version`` once per version of its protocol.
    """
    try:
        fsm = importlib.import_module("ocpkit._fsm")
    except ImportError:
        return []
    spec_type = fsm.Spec
    found: list[MachineDoc] = []
    seen: set[int] = set()

    def add(module_name: str, attr: str, value: object, version: str | None = None) -> None:
        if isinstance(value, spec_type) and id(value) not in seen:
            seen.add(id(value))
            found.append(MachineDoc(module_name, attr, value, version))

    for module_name in hand_written_modules():
        module = importlib.import_module(module_name)
        for attr in getattr(module, "__all__", ()):
            value = getattr(module, attr)
            if not (callable(value) and attr.endswith("_spec") and not isinstance(value, type)):
                add(module_name, attr, value)
                continue
            required = [p.name for p in inspect.signature(value).parameters.values() if p.default is p.empty]
            if not required:
                add(module_name, attr, value())
            elif required == ["version"]:
                packages = _OCPI_PACKAGES if module_name.startswith("ocpkit.ocpi") else _OCPP_PACKAGES
                for version in packages:
                    add(module_name, attr, value(version), version)
    return found


def _matrix(spec: Any) -> nodes.table:
    states = [str(s) for s in spec.states]
    events = [str(e) for e in spec.events]
    status_machine = events == states and all(str(t) == str(e) for (_, e), t in spec.transitions.items())
    headers = ["from \\ to" if status_machine else "state \\ event", *events]
    rows = []
    for state in spec.states:
        row = [str(state)]
        for event in spec.events:
            target = spec.transitions.get((state, event))
            if target is None:
                row.append("")
                continue
            code = spec.labels.get((state, event), "")
            if status_machine:
                row.append(code or "✓")
            else:
                row.append(f"{target} ({code})" if code else str(target))
        rows.append(row)
    return _table(headers, rows)


def machine_arrows(spec: Any) -> tuple[list[Arrow], bool]:
    """Edges to draw (unlabelled repeats of the same status omitted) and whether any were omitted."""
    arrows = []
    omitted = False
    for edge in edges(spec):
        if edge.source == edge.target and not edge.label:
            omitted = True
            continue
        text = edge.label if str(edge.event) == str(edge.target) else f"{edge.event} {edge.label}".strip()
        arrows.append(Arrow(str(edge.source), str(edge.target), text))
    return arrows, omitted


class StateMachines(SphinxDirective):
    """``.. ocpkit-state-machines::`` -- diagram and transition matrix of every machine in the package.

    ``:module: ocpkit.ocpp.endpoint`` draws only the machines that module declares.
    """

    option_spec = {"module": directives.unchanged}  # noqa: RUF012 (docutils reads a plain dict)

    def run(self) -> list[nodes.Node]:
        """Render every machine (of the given module), or a note when there is none."""
        machines = state_machines()
        only = self.options.get("module")
        if only:
            machines = [m for m in machines if m.module == only]
        if not machines:
            return [_note_node("No state machine is available in this build.")]
        out: list[nodes.Node] = []
        for number, machine in enumerate(machines):
            spec = machine.spec
            section_title = (
                f"{machine.title} ({', '.join(f'{machine.protocol.upper()} {v}' for v in machine.versions)})"
            )
            section = nodes.section(ids=[nodes.make_id(f"machine-{machine.title}")])
            section += nodes.title(section_title, section_title)
            where = machine.where
            para = nodes.paragraph()
            para += nodes.Text(f"{len(spec.states)} states, {len(spec.transitions)} allowed moves; table: ")
            para += nodes.literal(where, where)
            para += nodes.Text(".")
            section += para
            arrows, omitted = machine_arrows(spec)
            svg = state_svg(machine.title, [str(s) for s in spec.states], arrows, ident=f"fsm{number}")
            section += nodes.raw("", f'<figure class="ocpkit-diagram">{svg}</figure>', format="html")
            if omitted:
                section += nodes.paragraph(
                    "", "Repeating the current state is allowed and is not drawn; the matrix shows it."
                )
            section += _matrix(spec)
            out.append(section)
        return out


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the generator and the site directives."""
    app.setup_extension("ocpkit.sphinxext")
    app.connect("builder-inited", _builder_inited)
    app.add_directive("ocpkit-support-matrix", SupportMatrix)
    app.add_directive("ocpkit-error-codes", ErrorCodes)
    app.add_directive("ocpkit-state-machines", StateMachines)
    return {"version": ocpkit.__version__, "parallel_read_safe": True, "parallel_write_safe": True}
