"""Device-model facts the shared tables do not carry in a machine-readable form, kept by hand.

The generator (:mod:`tools.codegen.device_model`) reads the OCA tables in
``../shared/specs/ocpp/device-model``; a few facts are only there as prose or
not at all, so they are written down here, each with the section that states
it, and the generator asserts that every prose cell it meets is one this file
interprets (a new edition of the tables fails loudly instead of being guessed).

* :data:`V16_KEYS` -- the standard configuration keys of OCPP 1.6 edition 2
  (§9 per feature profile, and §8 for the file-transfer key): type,
  accessibility, required, unit and, for comma-separated lists, their members.
* :data:`VALUES_TEXT` -- how to read the prose of a "values list" cell.
* :data:`EXTRA_VALUES` -- values lists a variable's section states that the
  extracted tables miss.
"""

from __future__ import annotations

# -- OCPP 1.6 configuration keys ------------------------------------------------------------------
#
# (key, profile, type, accessibility, required, unit, members)
# type: "boolean" | "integer" | "CSL" | "string"; accessibility: "R" | "RW" | "R/RW" (the
# implementation chooses); members: None, a tuple of allowed CSL members, or the name of the
# generated 1.6 enum whose values are the members ("enum:Measurand").
V16_KEYS: tuple[tuple[str, str, str, str, bool, str | None, tuple[str, ...] | str | None], ...] = (
    # OCPP 1.6 ed.2 §9.1 Core profile.
    ("AllowOfflineTxForUnknownId", "Core", "boolean", "RW", False, None, None),
    ("AuthorizationCacheEnabled", "Core", "boolean", "RW", False, None, None),
    ("AuthorizeRemoteTxRequests", "Core", "boolean", "R/RW", True, None, None),
    ("BlinkRepeat", "Core", "integer", "RW", False, "times", None),
    ("ClockAlignedDataInterval", "Core", "integer", "RW", True, "seconds", None),
    ("ConnectionTimeOut", "Core", "integer", "RW", True, "seconds", None),
    # §9.1.7: one "<connector>.<rotation>" item per connector.
    ("ConnectorPhaseRotation", "Core", "CSL", "RW", True, None, "phase-rotation"),
    ("ConnectorPhaseRotationMaxLength", "Core", "integer", "R", False, None, None),
    ("GetConfigurationMaxKeys", "Core", "integer", "R", True, None, None),
    ("HeartbeatInterval", "Core", "integer", "RW", True, "seconds", None),
    ("LightIntensity", "Core", "integer", "RW", False, "%", None),
    ("LocalAuthorizeOffline", "Core", "boolean", "RW", True, None, None),
    ("LocalPreAuthorize", "Core", "boolean", "RW", True, None, None),
    ("MaxEnergyOnInvalidId", "Core", "integer", "RW", False, "Wh", None),
    ("MeterValuesAlignedData", "Core", "CSL", "RW", True, None, "enum:Measurand"),
    ("MeterValuesAlignedDataMaxLength", "Core", "integer", "R", False, None, None),
    ("MeterValuesSampledData", "Core", "CSL", "RW", True, None, "enum:Measurand"),
    ("MeterValuesSampledDataMaxLength", "Core", "integer", "R", False, None, None),
    ("MeterValueSampleInterval", "Core", "integer", "RW", True, "seconds", None),
    ("MinimumStatusDuration", "Core", "integer", "RW", False, "seconds", None),
    ("NumberOfConnectors", "Core", "integer", "R", True, None, None),
    ("ResetRetries", "Core", "integer", "RW", True, "times", None),
    ("StopTransactionOnEVSideDisconnect", "Core", "boolean", "RW", True, None, None),
    ("StopTransactionOnInvalidId", "Core", "boolean", "RW", True, None, None),
    ("StopTxnAlignedData", "Core", "CSL", "RW", True, None, "enum:Measurand"),
    ("StopTxnAlignedDataMaxLength", "Core", "integer", "R", False, None, None),
    ("StopTxnSampledData", "Core", "CSL", "RW", True, None, "enum:Measurand"),
    ("StopTxnSampledDataMaxLength", "Core", "integer", "R", False, None, None),
    # §3.3 names the feature profiles a charge point may list.
    (
        "SupportedFeatureProfiles",
        "Core",
        "CSL",
        "R",
        True,
        None,
        (
            "Core",
            "FirmwareManagement",
            "LocalAuthListManagement",
            "Reservation",
            "SmartCharging",
            "RemoteTrigger",
        ),
    ),
    ("SupportedFeatureProfilesMaxLength", "Core", "integer", "R", False, None, None),
    ("TransactionMessageAttempts", "Core", "integer", "RW", True, "times", None),
    ("TransactionMessageRetryInterval", "Core", "integer", "RW", True, "seconds", None),
    ("UnlockConnectorOnEVSideDisconnect", "Core", "boolean", "RW", True, None, None),
    ("WebSocketPingInterval", "Core", "integer", "RW", False, "seconds", None),
    # §8 (file transfer): the protocols a charge point supports for firmware and diagnostics.
    (
        "SupportedFileTransferProtocols",
        "FirmwareManagement",
        "CSL",
        "R",
        False,
        None,
        ("FTP", "FTPS", "HTTP", "HTTPS"),
    ),
    # §9.2 Local Auth List Management profile.
    ("LocalAuthListEnabled", "LocalAuthListManagement", "boolean", "RW", True, None, None),
    ("LocalAuthListMaxLength", "LocalAuthListManagement", "integer", "R", True, None, None),
    ("SendLocalListMaxLength", "LocalAuthListManagement", "integer", "R", True, None, None),
    # §9.3 Reservation profile.
    ("ReserveConnectorZeroSupported", "Reservation", "boolean", "R", False, None, None),
    # §9.4 Smart Charging profile.
    ("ChargeProfileMaxStackLevel", "SmartCharging", "integer", "R", True, None, None),
    (
        "ChargingScheduleAllowedChargingRateUnit",
        "SmartCharging",
        "CSL",
        "R",
        True,
        None,
        ("Current", "Power"),
    ),
    ("ChargingScheduleMaxPeriods", "SmartCharging", "integer", "R", True, None, None),
    ("ConnectorSwitch3to1PhaseSupported", "SmartCharging", "boolean", "R", False, None, None),
    ("MaxChargingProfilesInstalled", "SmartCharging", "integer", "R", True, None, None),
)

# OCPP 1.6 §9.1.7: the rotations a ConnectorPhaseRotation item may name.
V16_PHASE_ROTATIONS: tuple[str, ...] = ("NotApplicable", "Unknown", "RST", "RTS", "SRT", "STR", "TRS", "TSR")

# -- values lists -----------------------------------------------------------------------------------
#
# Cells of the extracted "values list" columns that are prose rather than a list. Each maps to
# None (the cell names no closed list), "enum:<Name>" (the values of that enumeration of the
# version's JSON schemas), "csv:<file>" (the first column of a published appendix table) or
# "facts:<name>" (a list in EXTRA_LISTS). Cells not listed here must be plain comma lists.
VALUES_TEXT: dict[str, str | None] = {
    "List of possible values": None,
    "values from RFC 5646": None,
    "values from Measurands": "enum:MeasurandEnumType",
    "values from MeasurandEnumType": "enum:MeasurandEnumType",
    "values from MonitoringBaseEnumType": "enum:MonitoringBaseEnumType",
    "values from MessageFormatEnumType": "enum:MessageFormatEnumType",
    "values from MessagePriorityEnumType": "enum:MessagePriorityEnumType",
    "values from MessageStateEnumType": "enum:MessageStateEnumType",
    "values from EnergyTransferModeEnumType": "enum:EnergyTransferModeEnumType",
    "values from OperationModeEnumType": "enum:OperationModeEnumType",
    "List of IdTokenEnumstringType in Appendix.": "csv:idtokenenumtype.csv",
    "See TxStartStopPoint values for allowed values. It is not required to implement all possible values.": (
        "facts:TxStartStopPoint"
    ),
}
# Prefixes in front of a list that is otherwise plain ("Possible values: a, b").
VALUES_PREFIXES: tuple[str, ...] = ("List of all implemented time sources. Possible values:", "List of")

EXTRA_LISTS: dict[str, tuple[str, ...]] = {
    # OCPP 2.0.1 Part 2 §E (and 2.1 §E), "TxStartPoint values": the events a transaction may start
    # or stop on.
    "TxStartStopPoint": (
        "ParkingBayOccupancy",
        "EVConnected",
        "Authorized",
        "DataSigned",
        "PowerPathClosed",
        "EnergyTransfer",
    ),
}

# (version, component, variable) -> values source, for variables whose section states the list but
# whose extracted row does not carry it. Same forms as VALUES_TEXT.
EXTRA_VALUES: dict[tuple[str, str, str], str] = {
    # OCPP 2.0.1 Part 2 §2.7 (SampledDataCtrlr, AlignedDataCtrlr): members are measurands.
    ("2.0.1", "SampledDataCtrlr", "TxEndedMeasurands"): "enum:MeasurandEnumType",
    ("2.0.1", "SampledDataCtrlr", "TxStartedMeasurands"): "enum:MeasurandEnumType",
    ("2.0.1", "SampledDataCtrlr", "TxUpdatedMeasurands"): "enum:MeasurandEnumType",
    ("2.0.1", "AlignedDataCtrlr", "Measurands"): "enum:MeasurandEnumType",
    ("2.0.1", "AlignedDataCtrlr", "TxEndedMeasurands"): "enum:MeasurandEnumType",
    # OCPP 2.0.1 Part 2 §2.12.4 / §2.12.5 (DisplayMessageCtrlr): message formats and priorities.
    ("2.0.1", "DisplayMessageCtrlr", "SupportedFormats"): "enum:MessageFormatEnumType",
    ("2.0.1", "DisplayMessageCtrlr", "SupportedPriorities"): "enum:MessagePriorityEnumType",
}

# How the extracted tables spell data types -> the DataEnumType value (and a string format).
DATA_TYPES: dict[str, tuple[str, str | None]] = {
    "string": ("string", None),
    "String": ("string", None),
    "multi-instance string": ("string", None),
    "identifierString": ("string", "identifierString"),
    "passwordString": ("string", "passwordString"),
    "decimal": ("decimal", None),
    "integer": ("integer", None),
    "dateTime": ("dateTime", None),
    "DateTime": ("dateTime", None),
    "boolean": ("boolean", None),
    "OptionList": ("OptionList", None),
    "optionList": ("OptionList", None),
    "SequenceList": ("SequenceList", None),
    "MemberList": ("MemberList", None),
    "Memberlist": ("MemberList", None),
}

# Attribute qualifiers printed after a variable name -> the AttributeEnumType values meant.
QUALIFIERS: dict[str, tuple[str, ...]] = {
    ".actual": ("Actual",),
    ".target": ("Target",),
    ".maxSet": ("MaxSet",),
    ".minSet": ("MinSet",),
    ".min/maxSet": ("MinSet", "MaxSet"),
    "(MaxSet)": ("MaxSet",),
    "(MinSet)": ("MinSet",),
}

# Names the extracted specification tables spell differently from the published tables (a character
# read wrongly, an abbreviation), where the extraction left its "normalized" column empty.
SPEC_NAME_FIXES: dict[str, str] = {
    "Seccld": "SeccId",
    "SampleDataCtrl": "SampledDataCtrlr",
    "TxEndInterval": "TxEndedInterval",
}
