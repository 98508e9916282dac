// A QuickFIX C++ initiator driven line by line on stdin, for Ordo's FIX acceptor tests.
//   initiator SETTINGS_FILE
// stdin:  "send 35=D|11=c1|55=AAPL|..."  sends an application message (header filled in by QuickFIX)
//         "logout"                         logs out
//         "quit"                           stops and exits
// stdout: "LOGON", "LOGOUT", "APP <message, '|'-delimited>", one per line.
#include "config.h"
#include "quickfix/Application.h"
#include "quickfix/FileLog.h"
#include "quickfix/FileStore.h"
#include "quickfix/Log.h"
#include "quickfix/Session.h"
#include "quickfix/SessionSettings.h"
#include "quickfix/SocketInitiator.h"
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>

static std::mutex outLock;

static void say(const std::string& line) {
  std::lock_guard<std::mutex> g(outLock);
  std::cout << line << std::endl;
}

static std::string piped(const FIX::Message& m) {
  std::string s = m.toString();
  for (auto& c : s) if (c == '\x01') c = '|';
  return s;
}

class App : public FIX::Application {
 public:
  FIX::SessionID session;
  void onCreate(const FIX::SessionID& id) override { session = id; }
  void onLogon(const FIX::SessionID&) override { say("LOGON"); }
  void onLogout(const FIX::SessionID&) override { say("LOGOUT"); }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message& m, const FIX::SessionID&)
      throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::RejectLogon) override {
    FIX::MsgType t;
    m.getHeader().getField(t);
    if (t.getValue() == "5" || t.getValue() == "3") say("ADMIN " + piped(m));
  }
  void fromApp(const FIX::Message& m, const FIX::SessionID&)
      throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::UnsupportedMessageType) override {
    say("APP " + piped(m));
  }
};

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: initiator SETTINGS_FILE" << std::endl;
    return 2;
  }
  try {
    FIX::SessionSettings settings(argv[1]);
    App app;
    FIX::FileStoreFactory store(settings);
    FIX::FileLogFactory log(settings);
    FIX::SocketInitiator initiator(app, store, settings, log);
    initiator.start();
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line == "quit") break;
      if (line == "logout") {
        FIX::Session* s = FIX::Session::lookupSession(app.session);
        if (s) s->logout("done");
        continue;
      }
      if (line.rfind("send ", 0) == 0) {
        FIX::Message m;
        std::stringstream fields(line.substr(5));
        std::string kv;
        while (std::getline(fields, kv, '|')) {
          auto eq = kv.find('=');
          if (eq == std::string::npos) continue;
          int tag = std::stoi(kv.substr(0, eq));
          std::string value = kv.substr(eq + 1);
          if (tag == 35) m.getHeader().setField(FIX::MsgType(value));
          else m.setField(tag, value);
        }
        try {
          FIX::Session::sendToTarget(m, app.session);
        } catch (std::exception& e) {
          say(std::string("ERROR ") + e.what());
        }
      }
    }
    initiator.stop();
    return 0;
  } catch (std::exception& e) {
    std::cerr << e.what() << std::endl;
    return 1;
  }
}
