/* drivers/vga.h - VGA text-mode constants. */
#ifndef DRIVERS_VGA_H
#define DRIVERS_VGA_H

#include <keel/compiler.h>

#define VGA_TEXT_PHYS       0xb8000
#define VGA_COLS            80
#define VGA_ROWS            25
#define VGA_TAB             8
#define VGA_ATTR_GREY       0x07
#define VGA_CELL(c)         ((uint16_t)(uint8_t)(c) | (VGA_ATTR_GREY << 8))
#define VGA_BLANK           VGA_CELL(' ')
#define VGA_CRTC_INDEX      0x3d4
#define VGA_CRTC_DATA       0x3d5
#define VGA_CRTC_CURSOR_HI  0x0e
#define VGA_CRTC_CURSOR_LO  0x0f


#endif
