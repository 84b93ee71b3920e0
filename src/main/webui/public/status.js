// Shows whether the relay's UDP socket is up, from the readiness check.
(async () => {
  const status = document.getElementById('status');
  try {
    const response = await fetch('/q/health/ready');
    const health = await response.json();
    const udp = (health.checks || []).find((c) => c.name === 'udp');
    status.textContent = health.status === 'UP' && udp
      ? `up, UDP port ${udp.data.port}`
      : 'down';
  } catch (e) {
    status.textContent = 'unreachable';
  }
})();
