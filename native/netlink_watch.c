// watchLinks(onChange): a netlink socket in the link and address groups, polled by the JS thread's
// own event loop (uv_poll), so onChange runs on that thread with no extra thread. The poll handle
// is unreferenced: it never keeps the process alive by itself. unwatchLinks, the environment's
// teardown or garbage collection of the handle close it; each path is safe after the others. An
// async cleanup hook holds the environment (and this library, which a worker's teardown unloads)
// until libuv has run the close callback: a plain cleanup hook let a worker unload the addon with
// the close pending, and libuv then called into unmapped code (seen: SIGSEGV in uv__finish_close).
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <uv.h>

#include "binding.h"
#include "netlink.h"
#include "netlink_binding.h"

static const napi_type_tag watch_tag = {0x666572726f6c6200ULL, 0x6e65746c696e6b01ULL};

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  napi_async_cleanup_hook_handle cleanup;
  int fd;
  bool closing;      // unwatch, teardown or finalizer started closing
  bool poll_closed;  // libuv's close callback ran
  bool handle_gone;  // the JS external was finalized
} flb_watch;

static void free_if_done(flb_watch *watch) {
  if (watch->poll_closed && watch->handle_gone) free(watch);
}

static void on_poll_closed(uv_handle_t *handle) {
  flb_watch *watch = handle->data;
  close(watch->fd);
  // Last use of the environment by this watch: teardown may now proceed (and unload the addon).
  napi_remove_async_cleanup_hook(watch->cleanup);
  watch->poll_closed = true;
  free_if_done(watch);
}

// Runs with a valid env (JS call, cleanup hook or finalizer); releases every JS resource now.
static void close_watch(flb_watch *watch) {
  if (watch->closing) return;
  watch->closing = true;
  napi_delete_reference(watch->env, watch->callback);
  napi_async_destroy(watch->env, watch->context);
  uv_poll_stop(&watch->poll);
  uv_close((uv_handle_t *)&watch->poll, on_poll_closed);
}

static void teardown(napi_async_cleanup_hook_handle handle, void *data) {
  (void)handle;
  close_watch(data);
}

static void finalize_watch(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  flb_watch *watch = data;
  close_watch(watch);
  watch->handle_gone = true;
  free_if_done(watch);
}

static void call_listener(flb_watch *watch) {
  napi_env env = watch->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value callback, receiver, result;
  if (napi_get_reference_value(env, watch->callback, &callback) == napi_ok && callback != NULL &&
      napi_get_global(env, &receiver) == napi_ok &&  // MakeCallback needs an object
      
      napi_make_callback(env, watch->context, receiver, callback, 0, NULL, &result) == napi_pending_exception) {
    napi_value error;
    // A throwing listener is an uncaught exception, as it would be for any event emitter.
    if (napi_get_and_clear_last_exception(env, &error) == napi_ok) napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  flb_watch *watch = poll->data;
  if (watch->closing) return;
  // An error status is reported as a change too: the listener re-reads everything anyway.
  if (flb_nl_drain(watch->fd) || status < 0) call_listener(watch);
}

static flb_watch *start_watch(napi_env env, napi_value callback, int *error) {
  uv_loop_t *loop = NULL;
  flb_watch *watch = calloc(1, sizeof *watch);
  if (watch == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok) {
    free(watch);
    *error = ENOMEM;
    return NULL;
  }
  watch->env = env;
  watch->fd = flb_nl_subscribe();
  if (watch->fd < 0 || (*error = -uv_poll_init(loop, &watch->poll, watch->fd)) != 0) {
    *error = watch->fd < 0 ? -watch->fd : *error;
    if (watch->fd >= 0) close(watch->fd);
    free(watch);
    return NULL;
  }
  watch->poll.data = watch;
  uv_unref((uv_handle_t *)&watch->poll);
  napi_value name;
  napi_create_string_utf8(env, "ferrolb:netlink", NAPI_AUTO_LENGTH, &name);
  napi_create_reference(env, callback, 1, &watch->callback);
  napi_async_init(env, NULL, name, &watch->context);
  uv_poll_start(&watch->poll, UV_READABLE, on_readable);
  napi_add_async_cleanup_hook(env, teardown, watch, &watch->cleanup);
  return watch;
}

napi_value flb_netlink_watch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], handle;
  napi_valuetype type = napi_undefined;
  FLB_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function)
    return flb_throw_type(env, "watchLinks", "onChange must be a function");
  int error = 0;
  flb_watch *watch = start_watch(env, argv[0], &error);
  if (watch == NULL) return flb_throw_errno(env, "(all)", "netlink subscribe", error);
  if (napi_create_external(env, watch, finalize_watch, NULL, &handle) != napi_ok ||
      napi_type_tag_object(env, handle, &watch_tag) != napi_ok) {
    close_watch(watch);
    watch->handle_gone = true;
    return flb_throw_last(env);
  }
  return handle;
}

napi_value flb_netlink_unwatch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  bool is_watch = false;
  flb_watch *watch = NULL;
  FLB_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_check_object_type_tag(env, argv[0], &watch_tag, &is_watch) != napi_ok || !is_watch ||
      napi_get_value_external(env, argv[0], (void **)&watch) != napi_ok)
    return flb_throw_type(env, "unwatchLinks", "expected a handle returned by watchLinks");
  close_watch(watch);
  return NULL;
}
