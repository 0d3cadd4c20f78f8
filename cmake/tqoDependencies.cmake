# The libraries libtqo links: imported targets tqo_dep::glpk, tqo_dep::csv,
# tqo_dep::qhull_r (and OpenMP::OpenMP_C, GDAL::GDAL, GEOS::geos_c). Used twice: by the build, and by
# the installed tqoConfig.cmake, since a static libtqo hands these on to the
# program that links it. Debian ships no CMake package for GLPK or libcsv.
# The caller sets tqo_static. Sets tqo_dependencies_found; names what is
# missing in tqo_dependencies_missing.
set(tqo_dependencies_missing "")
find_package(OpenMP QUIET COMPONENTS C)
if(NOT OpenMP_C_FOUND)
  list(APPEND tqo_dependencies_missing OpenMP)
endif()

# name, header, library names...
function(_tqo_import name header)
  if(TARGET tqo_dep::${name})
    return()
  endif()
  string(TOUPPER "${name}" up)
  find_path(TQO_${up}_INCLUDE_DIR ${header})
  find_library(TQO_${up}_LIBRARY NAMES ${ARGN})
  if(NOT TQO_${up}_INCLUDE_DIR OR NOT TQO_${up}_LIBRARY)
    set(tqo_dependencies_missing ${tqo_dependencies_missing} ${name} PARENT_SCOPE)
    return()
  endif()
  add_library(tqo_dep::${name} UNKNOWN IMPORTED)
  set_target_properties(tqo_dep::${name} PROPERTIES
    IMPORTED_LOCATION "${TQO_${up}_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${TQO_${up}_INCLUDE_DIR}")
endfunction()

_tqo_import(glpk glpk.h glpk)
# A static libtqo takes libcsv's archive (no run-time dependency); a shared
# one needs position-independent code, which only libcsv.so has.
if(tqo_static)
  _tqo_import(csv csv.h libcsv.a csv)
else()
  _tqo_import(csv csv.h csv)
endif()
_tqo_import(qhull_r libqhull_r/libqhull_r.h qhull_r)
# GDAL/OGR (vector files) and GEOS's C API: their own CMake packages.
find_package(GDAL CONFIG QUIET)
if(NOT TARGET GDAL::GDAL)
  list(APPEND tqo_dependencies_missing GDAL)
endif()
find_package(GEOS CONFIG QUIET)
if(NOT TARGET GEOS::geos_c)
  list(APPEND tqo_dependencies_missing GEOS)
endif()

if(tqo_dependencies_missing)
  set(tqo_dependencies_found FALSE)
else()
  set(tqo_dependencies_found TRUE)
endif()
