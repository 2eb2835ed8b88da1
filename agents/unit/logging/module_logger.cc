#include "agents/unit/logging/module_logger.h"

#include <map>

#include "lib/base/mutex.h"
#include "spdlog/spdlog.h"

namespace skein::agent {
namespace {

// One logger per module, cloned from the default logger they were made from.
struct LoggerCache {
  Mutex mu;
  std::shared_ptr<spdlog::logger> base ABSL_GUARDED_BY(mu);
  std::map<std::string, std::shared_ptr<spdlog::logger>> loggers ABSL_GUARDED_BY(mu);
};

}  // namespace

std::shared_ptr<spdlog::logger> ModuleLogger(const std::string& module) {
  // Never destroyed: loggers may be asked for while other statics are torn down at exit.
  static LoggerCache* cache = new LoggerCache();
  MutexLock lock(cache->mu);
  auto current = spdlog::default_logger();
  if (cache->base != current) {
    // The default logger was replaced (set up again, or by a test): start over.
    cache->loggers.clear();
    cache->base = current;
  }
  auto& logger = cache->loggers[module];
  if (logger == nullptr) logger = current->clone(module);
  return logger;
}

}  // namespace skein::agent
