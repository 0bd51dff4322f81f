# SPDX-License-Identifier: Apache-2.0
# Installs packaging/systemd/sysfence-watch.service with ExecStart pointing at the CLI under the
# prefix being installed to (run by `cmake --install` and CPack; SYSFENCE_UNIT_SOURCE and
# SYSFENCE_UNIT_STAGING are set just before it).
file(READ "${SYSFENCE_UNIT_SOURCE}" unit)
string(REPLACE "/usr/local/bin/sysfence" "${CMAKE_INSTALL_PREFIX}/bin/sysfence" unit "${unit}")
# One staging copy per destination: installs to different prefixes may run at the same time.
string(MD5 destination "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
file(WRITE "${SYSFENCE_UNIT_STAGING}/${destination}/sysfence-watch.service" "${unit}")
file(INSTALL "${SYSFENCE_UNIT_STAGING}/${destination}/sysfence-watch.service" DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
