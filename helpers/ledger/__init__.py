"""The ground layer: the data/ tables, checked, and the files they come from.

Everything above reads the collection's data through here; nothing here imports another layer.

    tables         load_ledger, Ledger, validate_data_dir, rehash: the tables of data/, validated
    checks         cross-table checks (a figure's report exists, versions agree, ...)
    descriptor     reading a frictionless descriptor, hashing the files it declares
    raw            the official files in data/raw/, checked against their recorded hashes
    context_build  build_context: data/context/ derived from data/raw/
    catalogue      load_catalogue, Run: which notebooks run, with which parameters
    parameters     declared_parameters, check_value: each parameter's type and range (notebooks/parameters.yaml)
    vocabulary     version_label, GROUP_LABELS, GROUP_WORDS, MEASURE_WORDS, period_words: ids and periods in words
    versions       version_choices, default_versions, version_labels: the versions in data/versions.csv
    choices        check_choice, check_choices, check_report_id: a value from a declared set
    csv_out        write_csv, write_csv_file: the one CSV writer (CR/LF quoted, formulas neutralised)
    bounded_yaml   load_bounded, brief: user YAML read within bounds (aliases, nesting, size); short quotes
    files          write_atomically, write_all_atomically, check_input_path, check_output_path: safe file I/O
    errors         DataError, ParameterError: one-line messages naming the file, row and column
    paths          where data/, notebooks/ and notebooks/executed/ are
"""

import lazy_loader

# Names load on first use, so `import helpers.X.module` stays as fast as that one module.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "tables": ["Ledger", "load_ledger", "validate_data_dir", "rehash", "read_descriptor"],
        "context_build": ["build_context"],
        "catalogue": ["Run", "load_catalogue", "select_runs"],
        "parameters": ["declared_parameters", "check_value", "check_namespace", "matrix_values", "command_option"],
        "vocabulary": [
            "GROUP_LABELS",
            "GROUP_WORDS",
            "MEASURE_WORDS",
            "OFFICIAL_WORDS",
            "period_words",
            "version_label",
            "with_version_labels",
        ],
        "versions": [
            "version_choices",
            "default_versions",
            "version_labels",
            "short_version_labels",
            "check_versions",
            "version_column",
        ],
        "choices": ["check_choice", "check_choices", "check_report_id"],
        "files": [
            "write_atomically",
            "write_all_atomically",
            "write_text_atomically",
            "write_bytes_atomically",
            "check_output_path",
            "check_input_path",
        ],
        "csv_out": ["write_csv", "write_csv_file", "neutralise_formula", "neutralise_formulas"],
        "bounded_yaml": ["load_bounded", "read_bounded", "brief"],
        "errors": ["DataError", "ParameterError", "MfcError"],
        "paths": ["DATA_DIR", "NOTEBOOKS_DIR", "EXECUTED_DIR", "PROJECT_ROOT"],
    },
)
