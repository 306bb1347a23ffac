# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# ALSA helpers of the iso scenario, for dom0 (sourced by lib.sh) and the
# guest (sourced by g.sh); both source common.sh (now, elapsed).

# snd_card IFACE_DIR: ALSA card number snd-usb-audio registered on the
# device's interface 0 (/sys/.../<busid>:1.0), empty if none
snd_card() {
	for _snd_card_c in "$1"/sound/card*; do
		[ -e "$_snd_card_c" ] && { echo "${_snd_card_c##*/card}"; return 0; }
	done
	return 1
}
# play CARD SECS: aplay SECS s of silence (48 kHz S16_LE stereo, the
# device's only format) to hw:CARD,0; prints "aplay rc=N secs=S xruns=X"
play() {
	_play_t=$(now)
	timeout $(($2 + 30)) aplay -D hw:$1,0 -t raw -f S16_LE -r 48000 -c 2 -d $2 /dev/zero > /tmp/aplay.out 2>&1
	_play_rc=$?
	_play_s=$(elapsed $_play_t)
	grep -v '^Playing raw' /tmp/aplay.out | tail -n 3
	echo "aplay rc=$_play_rc secs=$_play_s xruns=$(grep -c 'underrun' /tmp/aplay.out)"
}
