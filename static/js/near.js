// "使用我的位置": ask the phone for its position (WGS-84, as the sites are stored) and reload the
// finder sorted by distance. Without geolocation the button stays hidden: the filters still work.
(function () {
  "use strict";
  var button = document.getElementById("use-location");
  var status = document.getElementById("near-status");
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.nearWait;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var url = new URL(window.location.href);
        url.searchParams.set(
          "near",
          position.coords.latitude.toFixed(4) + "," + position.coords.longitude.toFixed(4)
        );
        url.searchParams.delete("page");
        window.location.assign(url.toString());
      },
      function () {
        status.textContent = button.dataset.nearError;
      },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
    );
  });
})();
