"""Sphinx extension: reference tables for OCPP messages and OCPI objects, read from ocpkit's models.

Theory of operation: the tables are computed from the same pydantic models that
validate traffic, so documentation cannot drift from behaviour. The module has
two layers:

* a pure layer (:func:`describe_model`, :func:`describe_enum`,
  :func:`referenced_types`, :func:`diff_models`, :func:`ocpp_action_changes`,
  :func:`ocpi_objects` ...) that turns model classes into rows and change
  lists; it imports nothing from Sphinx and is usable on its own;
* directives registered by :func:`setup` -- ``ocpp-message``, ``ocpp-type``,
  ``ocpp-enum``, ``ocpi-object``, ``ocpi-enum`` and ``ocpi-conversion`` (what
  converting between two OCPI versions changes, :func:`ocpi_conversion`) --
  that render those rows as docutils tables.

Enable it in a project's ``conf.py`` with ``extensions = ["ocpkit.sphinxext"]``
and write, for example::

    .. ocpp-message:: 2.0.1 BootNotification
       :nested:

    .. ocpi-object:: 2.2.1 Tariff

Every rendered table carries a label (``ocpp-2.0.1-bootnotificationrequest``,
``ocpi-2.2.1-tariff`` ...; see :func:`label`) usable with ``:ref:``. Type
columns link to the tables of nested types and enums; a link whose table is not
rendered anywhere in the project falls back to plain text (set
``ocpkit_strict_links = True`` to get a warning instead). Field descriptions of
the specifications are deliberately not shown: only facts (names, types,
constraints) are rendered.

Sphinx is a dependency of this module only (the ``docs`` extra); the rest of
ocpkit never imports it, and this package imports it only when Sphinx calls
:func:`setup`. Without the extra, :func:`setup` raises
:class:`~ocpkit.errors.MissingExtraError` naming it. A directive whose
arguments name nothing (a misspelt action, an unknown version) fails with an
error at its page and line that says what was expected, with the close
matches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ocpkit.sphinxext.describe import (
    FieldRow,
    TypeRef,
    describe_enum,
    describe_model,
    diff_models,
    display_name,
    label,
    ocpi_changes,
    ocpi_conversion,
    ocpi_enums,
    ocpi_models,
    ocpi_module_objects,
    ocpi_module_of,
    ocpi_objects,
    ocpp_action_changes,
    ocpp_action_versions,
    ocpp_enums,
    ocpp_models,
    referenced_types,
    sender_text,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__all__ = [
    "FieldRow",
    "TypeRef",
    "describe_enum",
    "describe_model",
    "diff_models",
    "display_name",
    "label",
    "ocpi_changes",
    "ocpi_conversion",
    "ocpi_enums",
    "ocpi_models",
    "ocpi_module_objects",
    "ocpi_module_of",
    "ocpi_objects",
    "ocpp_action_changes",
    "ocpp_action_versions",
    "ocpp_enums",
    "ocpp_models",
    "referenced_types",
    "sender_text",
    "setup",
]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives (Sphinx entry point).

    Raises :class:`~ocpkit.errors.MissingExtraError` when Sphinx or docutils
    is not installed (``pip install 'ocpkit[docs]'``).
    """
    from ocpkit.sphinxext._directives import setup as register

    return register(app)
