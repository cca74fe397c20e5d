// The simulator's phones: send through /simulator/say, poll /simulator/pushes every 1.5 s.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var urls = document.querySelector("main.sim").dataset;

  function bubble(log, text, kind) {
    var div = document.createElement("div");
    div.className = "msg " + kind;
    div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }

  function phone(root) {
    var who = root.querySelector("select.who"), log = root.querySelector(".log");
    var form = root.querySelector("form.send"), input = form.elements.text;
    var after = 0, generation = 0;

    function poll() {
      var mine = generation, openid = who.value;
      fetch(urls.pushes + "?openid=" + encodeURIComponent(openid) + "&after=" + after)
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (mine !== generation) { return; }
          (data.messages || []).forEach(function (m) {
            after = Math.max(after, m.seq);
            bubble(log, m.content || (m.kind === "image" ? "[图片]" : ""), "bot push");
          });
        })
        .catch(function () { /* the next poll tries again */ });
    }

    who.addEventListener("change", function () {
      generation += 1;
      after = 0;
      log.textContent = "";
      poll();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) { return; }
      input.value = "";
      bubble(log, text, "me");
      fetch(urls.say, {method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
                    body: JSON.stringify({openid: who.value, text: text})})
        .then(function (r) {
          return r.json().catch(function () { return {error: "机器人没有回应（" + r.status + "），请稍后再试。"}; });
        })
        .then(function (data) {
          if (data.error) { bubble(log, data.error, "error"); }
          else if (data.reply) { bubble(log, data.reply, "bot reply"); }
        })
        .catch(function () { bubble(log, "发送失败，请检查服务是否在运行。", "error"); });
    });
    poll();
    setInterval(poll, 1500);
  }

  document.querySelectorAll(".phone").forEach(phone);
})();
