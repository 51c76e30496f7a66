"""Transaction lifecycles: OCPP 1.6 (Start/Stop/MeterValues) and OCPP 2.0.1 / 2.1 (TransactionEvent).

Theory of operation. Both trackers observe one charge point's traffic and
take message payloads as the parsed JSON objects (wire names), one method per
message, each with the caller's ``ref`` (a frame index, a message id) and
``at`` (the receive time, a ``datetime``; it stands in for timestamps the
message lacks). They return findings as data and never read a clock.

OCPP 1.6: the central system assigns ``transactionId`` in StartTransaction's
response, so a transaction is first tracked per connector (StartPending) and
then by id. :data:`V16_TRANSACTION_TRANSITIONS` is the per-transaction table
(Idle -> StartPending -> Active -> StopPending -> Closed); a charger that never
received an id sends ``transactionId = -1`` afterwards (errata E16 §3.18), and
the tracker attaches such messages to the connector's id-less transaction.

OCPP 2.0.1 / 2.1: the station names the transaction (a string) and numbers its
TransactionEvents with ``seqNo``. :data:`V2_TRANSACTION_TRANSITIONS` allows
Started, then Updated*, then Ended. Events whose seqNo is above every one seen
so far are *live* and drive the machine; a lower seqNo that fills a recorded
gap is a *late* event (typically ``offline = true``, replayed from the queue):
it is checked and counted but does not rewind the live state. A seqNo seen
before is a duplicate and is not applied.

Register readings. In both versions every ``*.Register`` sampled value of
a transaction (1.6 ``meterStart`` and ``meterStop`` count as
``Energy.Active.Import.Register`` at the outlet) is compared with the
previous reading of the same measurand, phase and location, in Wh (or the
base unit of its quantity), by :func:`ocpkit.energy.classify_step`. A fall is
``meter.register-fall`` (error), a fall to near zero ``meter.register-reset``
(warning), a dip within the register's rounding ``meter.register-jitter``
(info); each names both readings as sent, with units, and where they were
(``line`` when the caller passes the capture line, else the ``ref``). A
reading older than the last one of its register (an offline replay) is not
compared. ``transaction.meter-decreased`` (meterStop below meterStart) stays.

Under ``policy="strict"`` a move the table refuses raises
:class:`~ocpkit.errors.TransitionError` (state unchanged); under
``"lenient"`` it is a finding. All other checks are findings in both policies.
"""

from __future__ import annotations

from ocpkit.ocpp._transaction2 import (
    V2_TRANSACTION_TRANSITIONS,
    Transaction2,
    TransactionEvents,
    v2_transaction_spec,
)
from ocpkit.ocpp._transaction16 import (
    V16_TRANSACTION_TRANSITIONS,
    Transaction16,
    Transactions16,
    v16_transaction_spec,
)

__all__ = [
    "V2_TRANSACTION_TRANSITIONS",
    "V16_TRANSACTION_TRANSITIONS",
    "Transaction2",
    "Transaction16",
    "TransactionEvents",
    "Transactions16",
    "v2_transaction_spec",
    "v16_transaction_spec",
]
