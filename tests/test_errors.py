from __future__ import annotations

import pytest

from ocpkit import errors


def test_every_error_derives_from_root() -> None:
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, errors.OcpkitError), name


def test_invalid_error_keeps_all_violations_and_prints_them() -> None:
    vs = [errors.Violation(f"/a/{i}", "type", f"bad {i}", "TypeConstraintViolation") for i in range(25)]
    err = errors.PayloadInvalid("payload invalid", vs, version="1.6", action="Heartbeat", direction="request")
    assert err.violations == tuple(vs)
    text = str(err)
    assert "/a/0: bad 0" in text and "and 5 more" in text
    assert isinstance(err, ValueError)


def test_invalid_error_never_has_empty_violations() -> None:
    err = errors.ObjectInvalid("broken")
    assert len(err.violations) == 1 and err.violations[0].message == "broken"


def test_frame_invalid_code_is_first_violation_code() -> None:
    err = errors.FrameInvalid(
        "bad", [errors.Violation("", "frame", "x", "FormationViolation")], message_id="1"
    )
    assert err.code == "FormationViolation" and err.message_id == "1"


def test_transition_error_names_machine_state_event() -> None:
    with pytest.raises(
        errors.TransitionError, match=r"connector: event 'Charging' is not allowed in state 'Available'"
    ):
        raise errors.TransitionError("connector", "Available", "Charging")


def test_transition_error_names_its_subject() -> None:
    err = errors.TransitionError("connector16", "Available", "Finishing", subject="connector 2")
    assert err.subject == "connector 2"
    assert str(err) == "connector16 (connector 2): event 'Finishing' is not allowed in state 'Available'"
    # Without a subject (or one equal to the machine's name) the message is unchanged.
    assert (
        str(errors.TransitionError("cmd", "A", "B", subject="cmd"))
        == "cmd: event 'B' is not allowed in state 'A'"
    )
