# alox_add_program(name SOURCES...): an executable of annotated C, compiled
# by gcc with the in-tree plugin and linked with the in-tree runtime. (An
# installed Alox needs none of this: find_package(Alox) + Alox::alox.)
function(alox_add_program name)
  add_executable(${name} ${ARGN})
  target_compile_options(${name} PRIVATE -fplugin=${ALOX_GCC_PLUGIN})
  target_link_libraries(${name} PRIVATE alox_static alox_warnings)
  add_dependencies(${name} ${ALOX_GCC_PLUGIN_TARGET})
  # Recompile when the plugin changes: it is part of the compiler.
  set_property(SOURCE ${ARGN} APPEND PROPERTY OBJECT_DEPENDS ${ALOX_GCC_PLUGIN})
endfunction()

# alox_add_program_clang(name SOURCES...): the same program compiled by the
# Clang front end (alox-clang, in-tree) and linked with the same runtime,
# so demos and benchmarks exist from both front ends (issue 7).
function(alox_add_program_clang name)
  set(objects)
  foreach(src ${ARGN})
    get_filename_component(base ${src} NAME_WE)
    get_filename_component(path ${src} ABSOLUTE)
    set(obj ${CMAKE_CURRENT_BINARY_DIR}/CMakeFiles/${name}.clang/${base}.o)
    add_custom_command(OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/CMakeFiles/${name}.clang
      COMMAND ${ALOX_CLANG_DRIVER} -O2 -g -Wall -Wextra -Werror -I${PROJECT_SOURCE_DIR}/include
              -I${PROJECT_SOURCE_DIR}/bench -c ${path} -o ${obj}
      DEPENDS ${path} ${ALOX_CLANG_TARGET} alox-clang-rewrite
      COMMENT "alox-clang ${src}" VERBATIM)
    list(APPEND objects ${obj})
  endforeach()
  add_executable(${name} ${objects})
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE C)
  target_link_libraries(${name} PRIVATE alox_static)
endfunction()
