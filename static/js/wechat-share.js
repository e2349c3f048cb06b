// WeChat share card (loaded only on public pages opened in WeChat, after WeChat's JS-SDK).
// The signature depends on this exact address (WeChat appends from=… to shared links) and on
// the time, so it is fetched from the portal (never part of a cached page); title, description
// and link are the page's og tags, the cover is the square image named on this script tag.
// Any failure leaves WeChat's plain link card: the page itself never depends on this.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.wx || !window.fetch) return;

  function meta(property) {
    var element = document.querySelector('meta[property="' + property + '"]');
    return element ? element.getAttribute("content") : "";
  }

  var pageUrl = window.location.href.split("#")[0];
  window
    .fetch(script.dataset.configUrl + "?url=" + encodeURIComponent(pageUrl), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
    .then(function (response) {
      return response.ok ? response.json() : null;
    })
    .then(function (config) {
      if (!config) return;
      window.wx.config({
        debug: false,
        appId: config.appId,
        timestamp: config.timestamp,
        nonceStr: config.nonceStr,
        signature: config.signature,
        jsApiList: config.jsApiList,
      });
      window.wx.ready(function () {
        var card = {
          title: meta("og:title"),
          desc: meta("og:description"),
          link: meta("og:url") || pageUrl,
          imgUrl: script.dataset.image,
        };
        window.wx.updateAppMessageShareData(card);
        // Moments show the title only.
        window.wx.updateTimelineShareData({ title: card.title, link: card.link, imgUrl: card.imgUrl });
      });
    })
    .catch(function () {});
})();
