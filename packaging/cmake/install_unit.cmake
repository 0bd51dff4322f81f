# SPDX-License-Identifier: Apache-2.0
# Installs the files that name the CLI's path — packaging/systemd/sysfence-watch.service (ExecStart)
# and packaging/oci-hooks.d/sysfence-record.json (the hook's path) — pointing at the CLI under the
# prefix being installed to (run by `cmake --install` and CPack; SYSFENCE_PACKAGING_DIR and
# SYSFENCE_UNIT_STAGING are set just before it).
string(MD5 destination "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
# One staging copy per destination: installs to different prefixes may run at the same time.
set(staging "${SYSFENCE_UNIT_STAGING}/${destination}")
foreach(entry "systemd/sysfence-watch.service|lib/systemd/system"
              "oci-hooks.d/sysfence-record.json|share/containers/oci/hooks.d")
  string(REPLACE "|" ";" entry "${entry}")
  list(GET entry 0 source)
  list(GET entry 1 target)
  if(NOT EXISTS "${SYSFENCE_PACKAGING_DIR}/${source}")
    continue()
  endif()
  file(READ "${SYSFENCE_PACKAGING_DIR}/${source}" text)
  string(REGEX REPLACE "/usr(/local)?/bin/sysfence" "${CMAKE_INSTALL_PREFIX}/bin/sysfence" text "${text}")
  get_filename_component(name "${source}" NAME)
  file(WRITE "${staging}/${name}" "${text}")
  file(INSTALL "${staging}/${name}" DESTINATION "${CMAKE_INSTALL_PREFIX}/${target}")
endforeach()
