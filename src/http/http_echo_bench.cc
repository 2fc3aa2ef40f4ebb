// http_echo_bench [port] [threads]: a Server whose handler answers 200 "{}"
// at once, to measure the HTTP layer alone:
//   wrk -t2 -c64 -d5s http://127.0.0.1:PORT/
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "http/server.h"

int main(int argc, char** argv) {
  using namespace streamer::http;
  ServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = argc > 1 ? static_cast<uint16_t>(std::atoi(argv[1])) : 0;
  unsigned threads = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 0;

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // pool threads inherit the mask

  IoPool pool;
  Server server(pool, options, [](Request&&, const RequestInfo&, Respond respond) {
    Response res{HttpStatus::ok, 11};
    res.set(boost::beast::http::field::content_type, "application/x-amz-json-1.0");
    res.body() = "{}";
    respond(std::move(res));
  });
  auto status = server.Listen();
  if (!status.ok()) {
    std::fprintf(stderr, "listen: %s\n", status.message().c_str());
    return 1;
  }
  pool.Start(threads);
  std::printf("listening on 127.0.0.1:%u with %u threads\n", server.port(), pool.thread_count());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  server.Shutdown(std::chrono::seconds(2));
  pool.Stop();
  pool.Join();
  return 0;
}
