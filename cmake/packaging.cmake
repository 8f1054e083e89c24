# Install layout and the Debian package (issue #15): `cmake --build build --target package`
# (or `cd build && cpack -G DEB`) writes build/nperf_VERSION_ARCH.deb. Installs the
# binary, nperf(1), nperf-mesh and nperf-mesh(1), bash completion, the nperf@PORT
# systemd template unit and the Debian copyright and changelog; tests/packaging/deb_test.sh installs it with apt.
include(GNUInstallDirs)
install(TARGETS nperf RUNTIME DESTINATION bin)

set(NPERF_MAN_PAGE ${CMAKE_SOURCE_DIR}/docs/nperf.1)
if(EXISTS ${NPERF_MAN_PAGE})
  # Debian ships man pages and changelogs compressed (-n: no time stamp, reproducible).
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/nperf.1.gz
                     COMMAND gzip -9n -c ${NPERF_MAN_PAGE} > ${CMAKE_BINARY_DIR}/nperf.1.gz
                     DEPENDS ${NPERF_MAN_PAGE})
  add_custom_target(nperf_man ALL DEPENDS ${CMAKE_BINARY_DIR}/nperf.1.gz)
  install(FILES ${CMAKE_BINARY_DIR}/nperf.1.gz DESTINATION share/man/man1)
endif()
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/changelog.gz
                   COMMAND gzip -9n -c ${CMAKE_SOURCE_DIR}/packaging/debian/changelog > ${CMAKE_BINARY_DIR}/changelog.gz
                   DEPENDS ${CMAKE_SOURCE_DIR}/packaging/debian/changelog)
add_custom_target(nperf_changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/changelog.gz)
install(FILES ${CMAKE_BINARY_DIR}/changelog.gz ${CMAKE_SOURCE_DIR}/packaging/debian/copyright
        DESTINATION share/doc/nperf)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/bash-completion/nperf DESTINATION share/bash-completion/completions)
# nperf-mesh (issue #16): a Python 3 program (standard library only) beside the
# binary; the script finds its package in ../share/nperf relative to itself.
install(PROGRAMS ${CMAKE_SOURCE_DIR}/tools/nperf-mesh DESTINATION bin)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/tools/nperf_mesh DESTINATION share/nperf
        FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/nperf-mesh.1.gz
                   COMMAND gzip -9n -c ${CMAKE_SOURCE_DIR}/docs/nperf-mesh.1 > ${CMAKE_BINARY_DIR}/nperf-mesh.1.gz
                   DEPENDS ${CMAKE_SOURCE_DIR}/docs/nperf-mesh.1)
add_custom_target(nperf_mesh_man ALL DEPENDS ${CMAKE_BINARY_DIR}/nperf-mesh.1.gz)
install(FILES ${CMAKE_BINARY_DIR}/nperf-mesh.1.gz DESTINATION share/man/man1)
# Debian 12 keeps units under /lib/systemd/system (the package's prefix is /usr).
install(FILES ${CMAKE_SOURCE_DIR}/packaging/systemd/nperf@.service DESTINATION ../lib/systemd/system)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME nperf)
set(CPACK_PACKAGE_VENDOR "the nperf authors")
set(CPACK_PACKAGE_CONTACT "nperf authors <nperf@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "iperf3-compatible network throughput tester, one thread per stream")
set(CPACK_PACKAGE_DESCRIPTION "nperf measures TCP and UDP throughput between two hosts. It speaks iperf3's
control protocol, so an nperf client tests against any iperf3 server and any
iperf3 client tests against an nperf server; -J prints iperf3's JSON. Every
data stream runs on a worker thread of its own that -A pins to a core, and
every test ends with a verdict on what limited it. The package ships a
systemd template unit, nperf@PORT, that runs a hardened server, and
nperf-mesh, which tests every pair of nodes and pods of a Kubernetes cluster
and writes one CSV and one heatmap.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # libc, libstdc++ ... are appended to the line below
set(CPACK_DEBIAN_PACKAGE_DEPENDS "python3")  # nperf-mesh
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
