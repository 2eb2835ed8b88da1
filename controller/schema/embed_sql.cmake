# Writes OUT: a C++ file holding every numbered migration (NNNN_name.sql) as a raw string, so
# that the controller binary carries its schema (migrations are append-only, DESIGN §4).
# SQL_FILES is a '|'-separated list of .sql paths.
string(REPLACE "|" ";" files "${SQL_FILES}")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  get_filename_component(stem ${f} NAME_WE)
  string(REGEX MATCH "^[0-9]+" number ${stem})
  math(EXPR version "${number}")
  file(READ ${f} sql)
  string(APPEND body "      {${version}, \"${stem}\", R\"skein_sql(${sql})skein_sql\"},\n")
endforeach()
file(WRITE ${OUT}.tmp
"// Generated from controller/schema/*.sql by embed_sql.cmake. Do not edit.
#include \"controller/schema/schema.h\"

namespace skein::controller::schema::internal {

std::vector<store::Migration> EmbeddedMigrations() {
  return {
${body}  };
}

}  // namespace skein::controller::schema::internal
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
