"""A sample app for config/tests/test_upgrade_check.py: its second migration adds
a NOT NULL column without a default (unsafe while the old version serves), and
with UNSAFE_SAMPLE_UNMIGRATED set its model has a field no migration makes."""
