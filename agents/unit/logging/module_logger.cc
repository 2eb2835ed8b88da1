#include "agents/unit/logging/module_logger.h"

#include <map>
#include <mutex>

#include "spdlog/spdlog.h"

namespace skein::agent {

std::shared_ptr<spdlog::logger> ModuleLogger(const std::string& module) {
  static std::mutex mu;
  static std::shared_ptr<spdlog::logger>* base = new std::shared_ptr<spdlog::logger>();
  static auto* cache = new std::map<std::string, std::shared_ptr<spdlog::logger>>();
  std::lock_guard<std::mutex> lock(mu);
  auto current = spdlog::default_logger();
  if (*base != current) {
    // The default logger was replaced (set up again, or by a test): start over.
    cache->clear();
    *base = current;
  }
  auto& logger = (*cache)[module];
  if (logger == nullptr) logger = current->clone(module);
  return logger;
}

}  // namespace skein::agent
