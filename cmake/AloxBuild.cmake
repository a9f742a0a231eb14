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
