"""Pure analysers: each takes values (or a file) and returns measurements, with no side effects.

Rules call these and compare the measurements with the policy; the analysers never read the
policy themselves, except for the parameters passed to them.
"""
