"""The docutils side of the Sphinx extension: directives that render the description layer as tables.

Theory of operation: each directive parses its two arguments (version and name),
asks :mod:`ocpkit.sphinxext.describe` for rows, and builds docutils tables with a
label per table and pending cross-references for nested types and enums. A
reference whose table is rendered nowhere in the project falls back to plain text
unless ``ocpkit_strict_links`` is set. This is the only module of ocpkit that
imports Sphinx or docutils; without them, importing it raises
:class:`~ocpkit.errors.MissingExtraError` naming the ``docs`` extra. An
argument that names nothing is an error saying what kind of name was
expected, with close matches (:meth:`_TableDirective.lookup`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

from ocpkit._version import __version__
from ocpkit.errors import MissingExtraError, OcpkitError, did_you_mean

try:
    from docutils import nodes
    from docutils.parsers.rst import directives
    from sphinx import addnodes
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.docutils import SphinxDirective
except ModuleNotFoundError as exc:  # the docs extra is missing: say which one installs it
    raise MissingExtraError("the ocpkit Sphinx extension (ocpkit.sphinxext)", "docs", exc.name or "") from exc
from ocpkit.sphinxext.describe import (
    TypeRef,
    _ocpp_actions,
    describe_enum,
    describe_model,
    display_name,
    label,
    ocpi_changes,
    ocpi_conversion,
    ocpi_enums,
    ocpi_models,
    ocpi_objects,
    ocpp_action_changes,
    ocpp_action_versions,
    ocpp_enums,
    ocpp_models,
    referenced_types,
    sender_text,
)

T = TypeVar("T")

__all__ = [
    "OcpiConversionDirective",
    "OcpiEnumDirective",
    "OcpiObjectDirective",
    "OcppEnumDirective",
    "OcppMessageDirective",
    "OcppTypeDirective",
    "setup",
]


def _text_cell(text: str, *, literal: bool = False) -> nodes.entry:
    para = nodes.paragraph()
    para += nodes.literal(text, text) if literal else nodes.Text(text)
    return nodes.entry("", para)


def _constraints_cell(constraints: Sequence[str]) -> nodes.entry:
    """One line per constraint; values that are patterns or formats shown as code."""
    entry = nodes.entry()
    for constraint in constraints:
        para = nodes.paragraph()
        key, sep, value = constraint.partition(": ")
        if sep:
            para += nodes.Text(f"{key}: ")
            para += nodes.literal(value, value)
        else:
            para += nodes.Text(constraint)
        entry += para
    return entry


def _table(
    title: str, headers: Sequence[str], widths: Sequence[int], rows: list[list[nodes.entry]]
) -> nodes.table:
    table = nodes.table(classes=["ocpkit-table"])
    table += nodes.title(title, title)
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    header_row = nodes.row()
    for header in headers:
        header_row += _text_cell(header)
    head += header_row
    group += head
    body = nodes.tbody()
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            row += cell
        body += row
    group += body
    return table


class _TableDirective(SphinxDirective):
    """Shared machinery: argument parsing, labels, type links."""

    required_arguments = 2
    optional_arguments = 0
    final_argument_whitespace = True  # some OCPI names have spaces ("Financial Advice Confirmation")
    has_content = False
    protocol: ClassVar[str] = ""

    @property
    def version(self) -> str:
        """The protocol version argument."""
        return str(self.arguments[0])

    @property
    def name_arg(self) -> str:
        """The action, object or enum name argument."""
        return str(self.arguments[1])

    def _labelled(self, node: nodes.Element, name: str) -> nodes.Element:
        """Give *node* the label of *name* unless that label is already taken in the project."""
        target = label(self.protocol, self.version, name)
        if target in self.state.document.nameids:
            return node
        owner = self.env.get_domain("std").anonlabels.get(target)  # type: ignore[attr-defined]
        if owner is not None and owner[0] != self.env.docname:
            return node
        node["ids"].append(nodes.make_id(target))
        node["names"].append(target)
        self.state.document.note_explicit_target(node, node)
        return node

    def _type_cell(self, parts: Sequence[str | TypeRef]) -> nodes.entry:
        para = nodes.paragraph()
        for part in parts:
            if isinstance(part, str):
                para += nodes.literal(part, part)
                continue
            ref = addnodes.pending_xref(
                "",
                refdomain="std",
                reftype="ref",
                reftarget=label(self.protocol, self.version, part.name),
                refexplicit=True,
                refwarn=True,
                ocpkit=True,
            )
            ref += nodes.literal(part.name, part.name)
            para += ref
        return nodes.entry("", para)

    def model_table(self, model: type[BaseModel], caption: str | None = None) -> nodes.Element:
        """A labelled field table for *model* (a paragraph when the model has no field)."""
        rows = describe_model(model)
        title = caption or display_name(model)
        if not rows:
            para = nodes.paragraph()
            para += nodes.strong(title, title)
            para += nodes.Text(": no fields (an empty JSON object).")
            return self._labelled(para, display_name(model))
        # OCPI attributes are the wire names: a second identical column would only take room.
        attributes = self.protocol != "ocpi" or any(r.attribute != r.wire_name for r in rows)
        body = []
        for row in rows:
            cells = [_text_cell(row.wire_name, literal=True)]
            if attributes:
                cells.append(_text_cell(row.attribute, literal=True))
            cells += [
                self._type_cell(row.type_parts),
                _text_cell("yes" if row.required else "no"),
                _constraints_cell(row.constraints),
            ]
            body.append(cells)
        headers = ["Field", "Type", "Required", "Constraints"]
        widths = [22, 26, 8, 44]
        if attributes:
            headers.insert(1, "Attribute")
            widths = [20, 20, 22, 8, 30]
        table = _table(title, headers, widths, body)
        return self._labelled(table, display_name(model))

    def enum_table(self, enum_cls: type[enum.Enum]) -> nodes.Element:
        """A labelled table of an enum's values."""
        body = [
            [_text_cell(value, literal=True), _text_cell(member, literal=True)]
            for value, member in describe_enum(enum_cls)
        ]
        table = _table(display_name(enum_cls), ("Value", "Python member"), (50, 50), body)
        return self._labelled(table, display_name(enum_cls))

    def nested_tables(self, roots: Iterable[type[BaseModel]]) -> list[nodes.Node]:
        """Tables of every type and enum reachable from *roots*."""
        models, enums = referenced_types(roots)
        out: list[nodes.Node] = [self.model_table(m) for m in models]
        out.extend(self.enum_table(e) for e in enums)
        return out

    def changes_list(self, history: Sequence[tuple[str, str, list[str]]]) -> list[nodes.Node]:
        """A rubric and a bullet list per pair of consecutive versions."""
        if not history:
            return []
        out: list[nodes.Node] = [nodes.rubric("", "Changes between versions")]
        items = nodes.bullet_list()
        for old, new, changes in history:
            item = nodes.list_item()
            para = nodes.paragraph()
            para += nodes.strong(f"{old} → {new}", f"{old} → {new}")
            para += nodes.Text(": no change." if not changes else ":")
            item += para
            if changes:
                sub = nodes.bullet_list()
                for change in changes:
                    sub += nodes.list_item("", nodes.paragraph(change, change))
                item += sub
            items += item
        out.append(items)
        return out

    #: What the second argument names, for messages ("action", "data type" ...), and its usage line.
    what: ClassVar[str] = ""
    usage: ClassVar[str] = ""

    def fail(self, exc: BaseException) -> list[nodes.Node]:
        """Report an unknown version (or another refusal of the models) as a directive error."""
        raise self.error(f"{self.name}: {self.version} {self.name_arg}: {exc}; usage: {self.usage}")

    def lookup(self, table: Mapping[str, T]) -> T:
        """The entry of *table* named by the second argument, or a directive error saying what was expected.

        The error names the protocol version, what kind of name was expected and
        how many there are, the close matches (case-insensitive first), and the
        directive's usage; docutils adds the page and line.
        """
        found = table.get(self.name_arg)
        if found is not None:
            return found
        protocol = self.protocol.upper()
        raise self.error(
            f"{self.name}: {protocol} {self.version} has no {self.what} {self.name_arg!r}"
            f"{did_you_mean(self.name_arg, table)}; expected the name of one of the {len(table)} "
            f"{self.what}s of {protocol} {self.version}; usage: {self.usage}"
        )


class OcppMessageDirective(_TableDirective):
    """``.. ocpp-message:: VERSION ACTION``: sender, versions, request and response tables.

    Options: ``:nested:`` also renders every nested type and enum; ``:changes:``
    lists what changed between the versions that have the action.
    """

    protocol = "ocpp"
    what = "action"
    usage = ".. ocpp-message:: VERSION ACTION"
    option_spec: ClassVar[dict[str, Any]] = {"nested": directives.flag, "changes": directives.flag}

    def run(self) -> list[nodes.Node]:
        """Render the action."""
        try:
            actions = _ocpp_actions(self.version)
        except (ImportError, OcpkitError) as exc:
            return self.fail(exc)
        spec = self.lookup(actions)
        facts = nodes.paragraph()
        facts += nodes.strong("Sent by: ", "Sent by: ")
        facts += nodes.Text(sender_text(spec.sender, self.version) + ". ")
        facts += nodes.strong("Versions: ", "Versions: ")
        for i, version in enumerate(ocpp_action_versions(self.name_arg)):
            if i:
                facts += nodes.Text(", ")
            ref = addnodes.pending_xref(
                "",
                refdomain="std",
                reftype="ref",
                reftarget=label("ocpp", version, spec.request.__name__),
                refexplicit=True,
                refwarn=True,
                ocpkit=True,
            )
            ref += nodes.Text(f"OCPP {version}")
            facts += ref
        facts += nodes.Text(".")
        out: list[nodes.Node] = [facts, nodes.rubric("", "Request"), self.model_table(spec.request)]
        out.append(nodes.rubric("", "Response"))
        if spec.response is None:
            out.append(nodes.paragraph("", "None: the message is sent as SEND (type 6) and never answered."))
        else:
            out.append(self.model_table(spec.response))
        if "changes" in self.options:
            out.extend(self.changes_list(ocpp_action_changes(self.name_arg)))
        if "nested" in self.options:
            roots = [spec.request] + ([spec.response] if spec.response is not None else [])
            out.extend(self.nested_tables(roots))
        return out


class OcppTypeDirective(_TableDirective):
    """``.. ocpp-type:: VERSION TypeName``: the field table of a nested OCPP data type."""

    protocol = "ocpp"
    what = "data type"
    usage = ".. ocpp-type:: VERSION TypeName"
    option_spec: ClassVar[dict[str, Any]] = {"nested": directives.flag}

    def run(self) -> list[nodes.Node]:
        """Render the type."""
        try:
            models = ocpp_models(self.version)
        except (ImportError, OcpkitError) as exc:
            return self.fail(exc)
        model = self.lookup(models)
        out: list[nodes.Node] = [self.model_table(model)]
        if "nested" in self.options:
            out.extend(self.nested_tables([model]))
        return out


class OcppEnumDirective(_TableDirective):
    """``.. ocpp-enum:: VERSION EnumName``: the values of an OCPP enum."""

    protocol = "ocpp"
    what = "enum"
    usage = ".. ocpp-enum:: VERSION EnumName"

    def run(self) -> list[nodes.Node]:
        """Render the enum."""
        try:
            enums = ocpp_enums(self.version)
        except (ImportError, OcpkitError) as exc:
            return self.fail(exc)
        enum_cls = self.lookup(enums)
        return [self.enum_table(enum_cls)]


class OcpiObjectDirective(_TableDirective):
    """``.. ocpi-object:: VERSION Name``: the field table of an OCPI object or class.

    Options: ``:nested:`` also renders nested classes and enums; ``:changes:``
    lists what changed between versions (objects only).
    """

    protocol = "ocpi"
    what = "object or class"
    usage = ".. ocpi-object:: VERSION Name"
    option_spec: ClassVar[dict[str, Any]] = {"nested": directives.flag, "changes": directives.flag}

    def run(self) -> list[nodes.Node]:
        """Render the object."""
        try:
            names = {**ocpi_models(self.version), **ocpi_objects(self.version)}  # objects first
        except (ImportError, OcpkitError) as exc:
            return self.fail(exc)
        model = self.lookup(names)
        out: list[nodes.Node] = [self.model_table(model)]
        if "changes" in self.options:
            out.extend(self.changes_list(ocpi_changes(self.name_arg)))
            steps = ocpi_conversion(self.name_arg)
            if steps:
                out.append(nodes.rubric("", "Conversion between versions"))
                for source, target, rows in steps:
                    out.append(_conversion_table(f"{source} → {target}", rows[self.name_arg]))
        if "nested" in self.options:
            out.extend(self.nested_tables([model]))
        return out


def _conversion_table(title: str, changes: Sequence[Any]) -> nodes.Element:
    """Field, change, what happens, context keys: one row per :class:`ocpkit.ocpi.conversion.Change`."""
    if not changes:
        text = f"{title}: no field of its own changes (nested classes have their own tables)."
        return nodes.paragraph(text, text)
    rows = [
        [
            _text_cell(c.field, literal=True),
            _text_cell(c.kind + (" (loss)" if c.lossy else "")),
            _text_cell(c.text),
            _text_cell(", ".join(c.context)),
        ]
        for c in changes
    ]
    return _table(title, ("Field", "Change", "What happens", "Context"), (20, 12, 56, 12), rows)


class OcpiConversionDirective(SphinxDirective):
    """``.. ocpi-conversion:: FROM TO``: what converting between two adjacent OCPI versions changes.

    One table per object or class that changes, and one line naming those that
    carry over unchanged. Option ``:object: NAME`` limits it to one of them.
    """

    required_arguments = 2
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {"object": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        """Render the step."""
        source, target = (str(a) for a in self.arguments)
        name = self.options.get("object")
        try:
            found = [rows for a, b, rows in ocpi_conversion(name) if (a, b) == (source, target)]
        except (ImportError, OcpkitError) as exc:
            raise self.error(f"{self.name}: {source} {target}: {exc}") from None
        if not found:
            what = name or "any object"
            raise self.error(f"{self.name}: no conversion step {source} -> {target} for {what}")
        out: list[nodes.Node] = []
        unchanged = []
        for obj, changes in found[0].items():
            if changes:
                out.append(_conversion_table(obj, changes))
            else:
                unchanged.append(obj)
        if unchanged:
            text = "Carried over unchanged: " + ", ".join(unchanged) + "."
            out.append(nodes.paragraph(text, text))
        return out


class OcpiEnumDirective(_TableDirective):
    """``.. ocpi-enum:: VERSION EnumName``: the values of an OCPI enum."""

    protocol = "ocpi"
    what = "enum"
    usage = ".. ocpi-enum:: VERSION EnumName"

    def run(self) -> list[nodes.Node]:
        """Render the enum."""
        try:
            enums = ocpi_enums(self.version)
        except (ImportError, OcpkitError) as exc:
            return self.fail(exc)
        enum_cls = self.lookup(enums)
        return [self.enum_table(enum_cls)]


def _missing_reference(
    app: Sphinx, env: BuildEnvironment, node: addnodes.pending_xref, contnode: nodes.TextElement
) -> nodes.Node | None:
    """Render a link to a table that is not in the project as plain text (unless strict)."""
    if not node.get("ocpkit") or app.config.ocpkit_strict_links:
        return None
    return contnode


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives (Sphinx entry point)."""
    app.add_config_value("ocpkit_strict_links", False, "env", bool)
    app.add_directive("ocpp-message", OcppMessageDirective)
    app.add_directive("ocpp-type", OcppTypeDirective)
    app.add_directive("ocpp-enum", OcppEnumDirective)
    app.add_directive("ocpi-object", OcpiObjectDirective)
    app.add_directive("ocpi-enum", OcpiEnumDirective)
    app.add_directive("ocpi-conversion", OcpiConversionDirective)
    app.connect("missing-reference", _missing_reference)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
