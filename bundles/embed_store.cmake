# Writes OUT: a C++ file holding every file under the store directory STORE_DIR (path relative to
# it -> content), so that skein carries its store (DESIGN §7). Files are sorted for a stable
# output.
file(GLOB_RECURSE files RELATIVE ${STORE_DIR} ${STORE_DIR}/*.yaml)
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  file(READ ${STORE_DIR}/${f} content)
  string(APPEND body "      {\"${f}\", R\"skein_store(${content})skein_store\"},\n")
endforeach()
file(WRITE ${OUT}.tmp
"// Generated from bundles/store/ by embed_store.cmake. Do not edit.
#include \"bundles/store.h\"

namespace skein::bundles {

const std::map<std::string, std::string>& EmbeddedStoreFiles() {
  static const auto* files = new std::map<std::string, std::string>{
${body}  };
  return *files;
}

}  // namespace skein::bundles
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
