#include "tocsin/store/store.h"

#include <future>

namespace tocsin::store {

Status Store::WriteSync(WriteFn fn) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  Submit(
      std::move(fn), [&promise](Status s) { promise.set_value(std::move(s)); },
      WritePriority::kEngine);
  return future.get();
}

}  // namespace tocsin::store
